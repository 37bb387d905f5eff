import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { FAILURE_CATEGORIES, FailureCategory } from '../core/contracts';
import { toFailureOutcome } from './failure';

const activityFailure = (cause: Error, retryState: RetryState = RetryState.MAXIMUM_ATTEMPTS_REACHED) =>
  new ActivityFailure('Activity task failed', 'scanPage', '3', retryState, 'worker-1@host', cause);

const appFailure = (type: string, message: string, nonRetryable = false) => ApplicationFailure.create({ type, message, nonRetryable });

describe('toFailureOutcome', () => {
  it.each(FAILURE_CATEGORIES.filter((c) => c !== FailureCategory.Cancelled))(
    'maps an ActivityFailure caused by ApplicationFailure of type "%s" to that category and the activity message',
    (category) => {
      const err = activityFailure(appFailure(category, `the ${category} message`));
      expect(toFailureOutcome(err)).toEqual({ status: 'failed', reason: category, message: `the ${category} message` });
    },
  );

  it('maps a bare ApplicationFailure with a known type to that category', () => {
    const err = appFailure(FailureCategory.InvalidUrl, 'URL must use http or https', true);
    expect(toFailureOutcome(err)).toEqual({ status: 'failed', reason: 'invalid_url', message: 'URL must use http or https' });
  });

  it('uses the innermost known category when ApplicationFailures are nested', () => {
    const inner = appFailure(FailureCategory.Navigation, 'net::ERR_NAME_NOT_RESOLVED at https://x.invalid/');
    const outer = new ApplicationFailure('wrapped', 'SomeWrapperError', false, undefined, inner);
    expect(toFailureOutcome(activityFailure(outer))).toEqual({
      status: 'failed',
      reason: FailureCategory.Navigation,
      message: 'net::ERR_NAME_NOT_RESOLVED at https://x.invalid/',
    });
  });

  it.each([
    ['an unknown type', 'TypeError'],
    ['a type that differs only in case', 'Timeout'],
    ['an empty type', ''],
  ])('maps an ApplicationFailure with %s to internal', (_label, type) => {
    const err = activityFailure(appFailure(type, 'cannot read properties of undefined'));
    expect(toFailureOutcome(err)).toEqual({ status: 'failed', reason: FailureCategory.Internal, message: 'Activity task failed' });
  });

  it.each([
    ['a CancelledFailure', new CancelledFailure('Activity cancelled')],
    ['an ActivityFailure caused by a CancelledFailure', activityFailure(new CancelledFailure('cancelled'), RetryState.CANCEL_REQUESTED)],
  ])('maps %s to cancelled', (_label, err) => {
    expect(toFailureOutcome(err)).toEqual({ status: 'cancelled', reason: FailureCategory.Cancelled, message: 'scan was cancelled' });
  });

  it('maps a heartbeat TimeoutFailure inside an ActivityFailure to timeout, saying the worker stopped heartbeating', () => {
    const err = activityFailure(new TimeoutFailure('activity Heartbeat timeout', undefined, TimeoutType.HEARTBEAT), RetryState.TIMEOUT);
    expect(toFailureOutcome(err)).toEqual({ status: 'failed', reason: FailureCategory.Timeout, message: 'worker stopped heartbeating' });
  });

  it.each([TimeoutType.START_TO_CLOSE, TimeoutType.SCHEDULE_TO_CLOSE, TimeoutType.SCHEDULE_TO_START])(
    'maps a %s TimeoutFailure to timeout, saying the scan exceeded its time limit',
    (timeoutType) => {
      const err = activityFailure(new TimeoutFailure('activity timeout', undefined, timeoutType), RetryState.TIMEOUT);
      expect(toFailureOutcome(err)).toEqual({ status: 'failed', reason: FailureCategory.Timeout, message: 'scan exceeded its time limit' });
    },
  );

  it('finds the heartbeat TimeoutFailure beneath an ApplicationFailure of unknown type', () => {
    const timeout = new TimeoutFailure(undefined, undefined, TimeoutType.HEARTBEAT);
    const err = activityFailure(new ApplicationFailure('wrapped', 'Wrapper', false, undefined, timeout));
    expect(toFailureOutcome(err).message).toBe('worker stopped heartbeating');
  });

  it('maps a plain Error to internal with its message', () => {
    expect(toFailureOutcome(new Error('boom'))).toEqual({ status: 'failed', reason: FailureCategory.Internal, message: 'boom' });
  });

  it('follows a plain Error cause chain to a known category', () => {
    const err = new Error('outer', { cause: appFailure(FailureCategory.Crash, 'Target closed') });
    expect(toFailureOutcome(err)).toEqual({ status: 'failed', reason: FailureCategory.Crash, message: 'Target closed' });
  });

  it.each<[string, unknown, string]>([
    ['a thrown string', 'kaput', 'kaput'],
    ['undefined', undefined, 'undefined'],
    ['null', null, 'null'],
  ])('maps %s to internal', (_label, err, message) => {
    expect(toFailureOutcome(err)).toEqual({ status: 'failed', reason: FailureCategory.Internal, message });
  });

  it('truncates an internal message to 500 characters', () => {
    expect(toFailureOutcome(new Error('m'.repeat(2000))).message).toBe('m'.repeat(500));
  });

  it('gives up after a bounded depth on a cyclic cause chain', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(toFailureOutcome(a)).toEqual({ status: 'failed', reason: FailureCategory.Internal, message: 'a' });
  });
});
