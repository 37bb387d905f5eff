import type { temporal } from '@temporalio/proto';
import { evenSample, meanTimeline, scanTimeline } from './history';
import { stageMeansMs } from './stages';

type Event = temporal.api.history.v1.IHistoryEvent;
const at = (ms: number) => ({ seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1e6 });

/**
 * A scan workflow: task, record-start, task, scanPage (waits 500 ms for a page), task, record-finish, task. Ids and
 * seconds are plain numbers here (Longs from the server): the timeline reads both.
 */
function scanHistory(): Event[] {
  const e: Array<Record<string, unknown>> = [];
  const add = (ms: number, attrs: Record<string, unknown>) => e.push({ eventId: e.length + 1, eventTime: at(ms), ...attrs });
  const task = (t: number) => {
    add(t, { workflowTaskScheduledEventAttributes: {} });
    add(t + 5, { workflowTaskStartedEventAttributes: { scheduledEventId: e.length } });
    add(t + 15, { workflowTaskCompletedEventAttributes: { scheduledEventId: e.length - 1, startedEventId: e.length } });
  };
  const activity = (name: string, t: number, queueMs: number, runMs: number) => {
    add(t, { activityTaskScheduledEventAttributes: { activityType: { name } } });
    const scheduled = e.length;
    add(t + queueMs, { activityTaskStartedEventAttributes: { scheduledEventId: scheduled } });
    add(t + queueMs + runMs, { activityTaskCompletedEventAttributes: { scheduledEventId: scheduled, startedEventId: scheduled + 1 } });
  };
  add(0, { workflowExecutionStartedEventAttributes: {} });
  task(0);
  activity('recordScanStarted', 15, 2, 20);
  task(40);
  activity('scanPage', 55, 500, 3000);
  task(3560);
  activity('recordScanFinished', 3575, 3, 30);
  task(3610);
  add(3625, { workflowExecutionCompletedEventAttributes: {} });
  return e as unknown as Event[];
}

describe('scanTimeline', () => {
  it('splits a scan workflow into round trips before and after the page, queue waits apart', () => {
    const t = scanTimeline(scanHistory());
    expect(t).toMatchObject({
      events: 23,
      workflowTasks: 4,
      activities: 3,
      toPageStartMs: 555,
      beforePageMs: 55,
      pageQueueMs: 500,
      afterPageMs: 3625 - 3555,
      workflowTaskQueueMs: 20,
      workflowTaskRunMs: 40,
    });
    expect(t.byActivity).toEqual({
      recordScanStarted: { queueMs: 2, runMs: 20 },
      scanPage: { queueMs: 500, runMs: 3000 },
      recordScanFinished: { queueMs: 3, runMs: 30 },
    });
  });

  it('leaves page figures empty when the page activity never closed', () => {
    const t = scanTimeline(scanHistory().slice(0, 8));
    expect(t.toPageStartMs).toBeNull();
    expect(t.byActivity.recordScanStarted).toEqual({ queueMs: 2, runMs: 20 });
  });
});

describe('local activities', () => {
  it('names the local activities from their markers and ignores other markers', () => {
    const marker = (data: object) => ({
      markerRecordedEventAttributes: {
        markerName: 'core_local_activity',
        details: { data: { payloads: [{ data: Buffer.from(JSON.stringify(data)) }] } },
      },
    });
    const events = [
      ...scanHistory(),
      marker({ seq: 1, activity_type: 'recordScanStarted' }),
      {
        markerRecordedEventAttributes: { markerName: 'core_patch', details: { 'patch-data': { payloads: [{ data: Buffer.from('{}') }] } } },
      },
    ] as unknown as Event[];
    expect(scanTimeline(events).localActivities).toEqual(['recordScanStarted']);
  });
});

describe('meanTimeline', () => {
  it('averages each figure over the sample, ignoring missing ones', () => {
    const full = scanTimeline(scanHistory());
    const partial = scanTimeline(scanHistory().slice(0, 8));
    const m = meanTimeline([full, partial]);
    expect(m.sampled).toBe(2);
    expect(m.toPageStartMs).toBe(555);
    expect(m.byActivity.recordScanStarted).toEqual({ queueMs: 2, runMs: 20 });
  });
});

describe('evenSample', () => {
  it('takes evenly spaced items, first and last included', () => {
    expect(evenSample([1, 2, 3, 4, 5, 6, 7, 8, 9], 3)).toEqual([1, 5, 9]);
    expect(evenSample([1, 2], 5)).toEqual([1, 2]);
    expect(evenSample([1, 2, 3], 1)).toEqual([1]);
  });
});

describe('stageMeansMs', () => {
  it('gives the mean ms per stage between two readings, null where nothing was observed', () => {
    const before = { axe: { sum: 1, count: 2 } };
    const after = { axe: { sum: 2.5, count: 5 }, navigate: { sum: 0.3, count: 3 } };
    const m = stageMeansMs(before, after);
    expect(m.axe).toBeCloseTo(500);
    expect(m.navigate).toBeCloseTo(100);
    expect(m.screenshot).toBeNull();
  });
});
