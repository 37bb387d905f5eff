// Pure: maps whatever reached the workflow's catch block to a stored category and a safe message.
import { ActivityFailure, ApplicationFailure, CancelledFailure, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { FailureCategory, isFailureCategory } from '../core/contracts';

export interface FailureOutcome {
  status: 'failed' | 'cancelled';
  reason: FailureCategory;
  message: string;
}

/** Walks ActivityFailure → ApplicationFailure/TimeoutFailure to the category the activity chose. */
export function toFailureOutcome(err: unknown): FailureOutcome {
  let cur: unknown = err;
  for (let depth = 0; depth < 6 && cur; depth++) {
    if (cur instanceof CancelledFailure) {
      return { status: 'cancelled', reason: FailureCategory.Cancelled, message: 'scan was cancelled' };
    }
    if (cur instanceof ApplicationFailure && isFailureCategory(cur.type)) {
      return { status: 'failed', reason: cur.type, message: cur.message };
    }
    if (cur instanceof TimeoutFailure) {
      const what = cur.timeoutType === TimeoutType.HEARTBEAT ? 'worker stopped heartbeating' : 'scan exceeded its time limit';
      return { status: 'failed', reason: FailureCategory.Timeout, message: what };
    }
    cur = cur instanceof ActivityFailure || cur instanceof Error ? (cur as Error).cause : undefined;
  }
  const message = err instanceof Error ? err.message : String(err);
  return { status: 'failed', reason: FailureCategory.Internal, message: message.slice(0, 500) };
}
