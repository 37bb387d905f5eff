// Schedules the workers own (health check, retention prune) are created by every worker at start: the first one
// creates, the others, and every restart, find it and bring it up to date only when it differs from what they want.
import {
  ScheduleAlreadyRunning,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
  type ScheduleUpdateOptions,
} from '@temporalio/client';

export interface ScheduleRefresh {
  /** Whether the existing schedule already says what `options` says (then it is left alone). */
  isCurrent(current: ScheduleDescription): boolean;
  update(prev: ScheduleUpdateOptions): ScheduleUpdateOptions;
}

export async function ensureSchedule(
  client: Client,
  options: ScheduleOptions,
  refresh: ScheduleRefresh,
): Promise<{ scheduleId: string; created: boolean }> {
  const { scheduleId } = options;
  try {
    await client.schedule.create(options);
    return { scheduleId, created: true };
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    const handle = client.schedule.getHandle(scheduleId);
    if (!refresh.isCurrent(await handle.describe())) await handle.update(refresh.update);
    return { scheduleId, created: false };
  }
}
