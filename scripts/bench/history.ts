// The Temporal side of a scan's time, from its workflow history: round trips before and after the page activity,
// and how long each activity and workflow task ran and waited in its task queue (schedule-to-start).
import type { temporal } from '@temporalio/proto';
import type { Env } from '../../lib/env';
import { connectClient } from '../../lib/temporal';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

export interface ScanTimeline {
  events: number;
  workflowTasks: number;
  activities: number;
  /** Workflow start to the page activity's start, its own queue wait (a free browser page) included. */
  toPageStartMs: number | null;
  /** Workflow start to the page activity being scheduled: the record-start and URL-check round trips. */
  beforePageMs: number | null;
  /** The page activity's schedule-to-start: waiting for a free page, i.e. queueing, not a cost of the scan. */
  pageQueueMs: number | null;
  /** The page activity's close to the workflow's close: the record-finish round trip. */
  afterPageMs: number | null;
  /** Workflow tasks: total time waiting in the queue and total time running. */
  workflowTaskQueueMs: number;
  workflowTaskRunMs: number;
  /** Per activity type: schedule-to-start and start-to-close. */
  byActivity: Record<string, { queueMs: number; runMs: number }>;
  /**
   * Local activities by type: they run inside a workflow task (their time is in workflowTaskRunMs) and their
   * markers carry no usable timing (workflow-clock times), so only their names are known.
   */
  localActivities: string[];
}

/** The activity type of a local-activity marker, null for other markers (patches, side effects). */
export function localActivityType(e: HistoryEvent): string | null {
  const payload = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
  if (!payload) return null;
  try {
    const type = (JSON.parse(Buffer.from(payload).toString('utf8')) as { activity_type?: unknown }).activity_type;
    return typeof type === 'string' ? type : null;
  } catch {
    return null;
  }
}

const id = (v: { toString(): string } | number | null | undefined) => (v === null || v === undefined ? NaN : Number(v.toString()));
// Seconds arrive as a Long from the server and as a number from hand-made histories: both print as digits.
const at = (e: HistoryEvent | undefined) =>
  e?.eventTime ? Number(String(e.eventTime.seconds ?? 0)) * 1000 + (e.eventTime.nanos ?? 0) / 1e6 : NaN;
const orNull = (v: number) => (Number.isFinite(v) ? v : null);

/** Timeline of one scan workflow; `pageActivity` is the activity type that loads the page. */
export function scanTimeline(events: readonly HistoryEvent[], pageActivity = 'scanPage'): ScanTimeline {
  const byId = new Map(events.map((e) => [id(e.eventId), e]));
  const start = at(events[0]);
  const last = at(events[events.length - 1]);
  let workflowTaskQueueMs = 0;
  let workflowTaskRunMs = 0;
  const byActivity: ScanTimeline['byActivity'] = {};
  let page: { scheduled: number; started: number; closed: number } | null = null;
  for (const e of events) {
    const wtStarted = e.workflowTaskStartedEventAttributes;
    if (wtStarted) workflowTaskQueueMs += at(e) - at(byId.get(id(wtStarted.scheduledEventId)));
    const wtDone = e.workflowTaskCompletedEventAttributes;
    if (wtDone) workflowTaskRunMs += at(e) - at(byId.get(id(wtDone.startedEventId)));
    const closed = e.activityTaskCompletedEventAttributes ?? e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes;
    if (closed) {
      const scheduled = byId.get(id(closed.scheduledEventId));
      const started = byId.get(id(closed.startedEventId));
      const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? 'unknown';
      const t = (byActivity[name] ??= { queueMs: 0, runMs: 0 });
      t.queueMs += at(started) - at(scheduled);
      t.runMs += at(e) - at(started);
      if (name === pageActivity) page = { scheduled: at(scheduled), started: at(started), closed: at(e) };
    }
  }
  // TypeScript does not see the assignment inside the loop.
  const p = page as { scheduled: number; started: number; closed: number } | null;
  return {
    events: events.length,
    workflowTasks: events.filter((e) => e.workflowTaskCompletedEventAttributes).length,
    activities: events.filter((e) => e.activityTaskScheduledEventAttributes).length,
    toPageStartMs: p ? orNull(p.started - start) : null,
    beforePageMs: p ? orNull(p.scheduled - start) : null,
    pageQueueMs: p ? orNull(p.started - p.scheduled) : null,
    afterPageMs: p ? orNull(last - p.closed) : null,
    workflowTaskQueueMs,
    workflowTaskRunMs,
    byActivity,
    localActivities: events.map(localActivityType).filter((t): t is string => t !== null),
  };
}

const mean = (xs: ReadonlyArray<number | null>) => {
  const v = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};

export interface TimelineMeans {
  sampled: number;
  events: number | null;
  workflowTasks: number | null;
  activities: number | null;
  toPageStartMs: number | null;
  beforePageMs: number | null;
  pageQueueMs: number | null;
  afterPageMs: number | null;
  workflowTaskQueueMs: number | null;
  workflowTaskRunMs: number | null;
  byActivity: Record<string, { queueMs: number | null; runMs: number | null }>;
  /** Local activity types seen in the sample. */
  localActivities: string[];
}

/** Means over a sample of timelines. */
export function meanTimeline(ts: readonly ScanTimeline[]): TimelineMeans {
  const names = [...new Set(ts.flatMap((t) => Object.keys(t.byActivity)))];
  return {
    sampled: ts.length,
    events: mean(ts.map((t) => t.events)),
    workflowTasks: mean(ts.map((t) => t.workflowTasks)),
    activities: mean(ts.map((t) => t.activities)),
    toPageStartMs: mean(ts.map((t) => t.toPageStartMs)),
    beforePageMs: mean(ts.map((t) => t.beforePageMs)),
    pageQueueMs: mean(ts.map((t) => t.pageQueueMs)),
    afterPageMs: mean(ts.map((t) => t.afterPageMs)),
    workflowTaskQueueMs: mean(ts.map((t) => t.workflowTaskQueueMs)),
    workflowTaskRunMs: mean(ts.map((t) => t.workflowTaskRunMs)),
    byActivity: Object.fromEntries(
      names.map((n) => [
        n,
        { queueMs: mean(ts.map((t) => t.byActivity[n]?.queueMs ?? null)), runMs: mean(ts.map((t) => t.byActivity[n]?.runMs ?? null)) },
      ]),
    ),
    localActivities: [...new Set(ts.flatMap((t) => t.localActivities))],
  };
}

/** Evenly spaced sample of at most `n` items (first and last included). */
export function evenSample<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  if (n <= 1) return items.slice(0, n);
  return Array.from({ length: n }, (_, i) => items[Math.round((i * (items.length - 1)) / (n - 1))]);
}

/** Timelines of the given scan workflows (histories that cannot be read are left out). */
export async function scanTimelines(env: Env, workflowIds: readonly string[]): Promise<ScanTimeline[]> {
  const client = await connectClient(env);
  try {
    const out: ScanTimeline[] = [];
    for (const wid of workflowIds) {
      const h = await client.workflow
        .getHandle(wid)
        .fetchHistory()
        .catch(() => null);
      if (h?.events?.length) out.push(scanTimeline(h.events));
    }
    return out;
  } finally {
    await client.connection.close();
  }
}
