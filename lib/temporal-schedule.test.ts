import { ScheduleAlreadyRunning, type Client, type ScheduleDescription, type ScheduleUpdateOptions } from '@temporalio/client';
import { ensureSchedule } from './temporal-schedule';

function fakeClient(existing: boolean, createError?: Error) {
  const update = jest.fn(async (_fn: (prev: ScheduleUpdateOptions) => ScheduleUpdateOptions) => undefined);
  const describe = jest.fn(async () => ({ spec: { intervals: [{ every: 1_000 }] } }) as unknown as ScheduleDescription);
  const create = jest.fn(async () => {
    if (createError) throw createError;
    if (existing) throw new ScheduleAlreadyRunning('exists', 's-1');
  });
  const client = { schedule: { create, getHandle: jest.fn(() => ({ describe, update })) } } as unknown as Client;
  return { client, create, describe, update };
}

const options = { scheduleId: 's-1', spec: {}, action: { type: 'startWorkflow', workflowType: 'w', taskQueue: 'q', args: [] } } as never;

describe('ensureSchedule', () => {
  it('creates the schedule when there is none', async () => {
    const f = fakeClient(false);
    const refresh = { isCurrent: jest.fn(() => true), update: jest.fn() };
    expect(await ensureSchedule(f.client, options, refresh)).toEqual({ scheduleId: 's-1', created: true });
    expect(f.create).toHaveBeenCalledWith(options);
    expect(f.describe).not.toHaveBeenCalled();
  });

  it('leaves an existing schedule alone when it is current', async () => {
    const f = fakeClient(true);
    const refresh = { isCurrent: jest.fn((d: ScheduleDescription) => d.spec.intervals?.[0]?.every === 1_000), update: jest.fn() };
    expect(await ensureSchedule(f.client, options, refresh)).toEqual({ scheduleId: 's-1', created: false });
    expect(f.update).not.toHaveBeenCalled();
  });

  it('updates an existing schedule that differs', async () => {
    const f = fakeClient(true);
    const update = (prev: ScheduleUpdateOptions) => ({ ...prev, spec: { intervals: [{ every: 2_000 }] } });
    expect(await ensureSchedule(f.client, options, { isCurrent: () => false, update })).toEqual({ scheduleId: 's-1', created: false });
    expect(f.update).toHaveBeenCalledWith(update);
  });

  it('passes any other error through', async () => {
    const f = fakeClient(false, new Error('unavailable'));
    await expect(ensureSchedule(f.client, options, { isCurrent: () => true, update: (p) => p })).rejects.toThrow('unavailable');
  });
});
