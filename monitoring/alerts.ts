// Alerts: conditions are evaluated from a health report (pure), matched with the alerts already firing (pure:
// dedupe and resolve), then stored in Postgres (`alerts`) and delivered to the channels with their status.
import { randomUUID } from 'node:crypto';
import { breakerClientId } from '../lib/circuit-breakers';
import { Prisma, type PrismaClient } from '../lib/prisma';
import { DeliveryError, type AlertChannel, type AlertNotification } from './alert-channels';
import type { HealthReport } from './health';
import { percent, successRate } from './thresholds';

export type AlertKind =
  'component_critical' | 'success_rate' | 'scans_failed' | 'circuit_breaker_open' | 'worker_lost' | 'browser_memory_restart';

/**
 * Events rather than states: they clear silently (no "resolved" message) once they stop happening. A failed scan or
 * a memory restart is over when it is reported; only the aggregation window keeps the alert open.
 */
const EVENT_KINDS: ReadonlySet<string> = new Set<AlertKind>(['scans_failed', 'browser_memory_restart']);

export interface AlertCondition {
  key: string;
  kind: AlertKind;
  severity: 'warning' | 'critical';
  message: string;
  details: Record<string, unknown>;
}

export interface AlertInputs {
  components: Record<string, { status: string; message: string }>;
  /** Scans that ended in the last hour. */
  lastHour: { completed: number; failed: number };
  /** Scans that failed (after all retries) within the dedupe window. */
  failedInWindow: { count: number; byReason: Record<string, number>; sampleScanIds: string[]; windowMs: number };
  openBreakers: Array<{ name: string; kind: string; failures: number; openedAt: string | null }>;
  lostWorkers: string[];
  /** Workers whose browser restarted for memory since the previous check. */
  memoryRestarts: Array<{ identity: string; delta: number; total: number }>;
  config: { successRateThreshold: number; minVolume: number };
}

/** Pure: what should be firing right now. */
export function evaluateAlerts(i: AlertInputs): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const [name, c] of Object.entries(i.components)) {
    if (c.status === 'critical') {
      out.push({
        key: `component_critical:${name}`,
        kind: 'component_critical',
        severity: 'critical',
        message: `${name} is critical: ${c.message}`,
        details: { component: name },
      });
    }
  }
  const { completed, failed } = i.lastHour;
  const rate = successRate(completed, failed);
  if (rate !== null && completed + failed >= i.config.minVolume && rate < i.config.successRateThreshold) {
    out.push({
      key: 'success_rate',
      kind: 'success_rate',
      severity: 'warning',
      message: `success rate over the last hour is ${percent(rate)} (${completed} completed, ${failed} failed), below ${percent(i.config.successRateThreshold)}`,
      details: { completed, failed, successRate: percent(rate), threshold: i.config.successRateThreshold },
    });
  }
  if (i.failedInWindow.count > 0) {
    const reasons = Object.entries(i.failedInWindow.byReason)
      .map(([r, n]) => `${r} ×${n}`)
      .join(', ');
    out.push({
      key: 'scans_failed',
      kind: 'scans_failed',
      severity: 'warning',
      message: `${i.failedInWindow.count} scan(s) failed after all retries in the last ${Math.round(i.failedInWindow.windowMs / 60_000)} min (${reasons})`,
      details: { ...i.failedInWindow },
    });
  }
  for (const b of i.openBreakers) {
    // A client's own host breaker pauses only that client's scans of the host: a warning, not a critical.
    const own = b.kind === 'host_client';
    out.push({
      key: `circuit_breaker_open:${b.name}`,
      kind: 'circuit_breaker_open',
      severity: own ? 'warning' : 'critical',
      message: own
        ? `circuit breaker ${b.name} (${b.kind}) is open after ${b.failures} failure(s): client ${breakerClientId(b.name)}'s scans of the host wait`
        : `circuit breaker ${b.name} (${b.kind}) is open after ${b.failures} failure(s)`,
      details: { ...b },
    });
  }
  for (const identity of i.lostWorkers) {
    out.push({
      key: `worker_lost:${identity}`,
      kind: 'worker_lost',
      severity: 'warning',
      message: `worker ${identity} stopped publishing telemetry (lost)`,
      details: { identity },
    });
  }
  for (const r of i.memoryRestarts) {
    out.push({
      key: `browser_memory_restart:${r.identity}`,
      kind: 'browser_memory_restart',
      severity: 'warning',
      message: `worker ${r.identity} restarted its browser for memory (${r.total} time(s) since it started)`,
      details: { ...r },
    });
  }
  return out;
}

export interface OpenAlert {
  id: string;
  key: string;
  kind: string;
  notifiedAt: Date | null;
}

export interface AlertPlan {
  /** New keys: store and notify. */
  fire: AlertCondition[];
  /** Still firing: bump occurrences; notify again only once a dedupe window has passed since the last notification. */
  refresh: Array<{ alert: OpenAlert; condition: AlertCondition; notify: boolean }>;
  /** No longer firing: resolve; notify unless the alert is an event. */
  resolve: Array<{ alert: OpenAlert; notify: boolean }>;
}

/** Pure: dedupe per key within `windowMs`, resolve what cleared. */
export function planAlerts(conditions: AlertCondition[], open: OpenAlert[], now: Date, windowMs: number): AlertPlan {
  const openByKey = new Map(open.map((a) => [a.key, a]));
  const seen = new Set<string>();
  const plan: AlertPlan = { fire: [], refresh: [], resolve: [] };
  for (const c of conditions) {
    if (seen.has(c.key)) continue;
    seen.add(c.key);
    const alert = openByKey.get(c.key);
    if (!alert) plan.fire.push(c);
    else plan.refresh.push({ alert, condition: c, notify: !alert.notifiedAt || now.getTime() - alert.notifiedAt.getTime() >= windowMs });
  }
  for (const a of open) if (!seen.has(a.key)) plan.resolve.push({ alert: a, notify: !EVENT_KINDS.has(a.kind) });
  return plan;
}

interface Delivery {
  status: 'delivered' | 'failed' | 'skipped';
  attempts: number;
  error: string | null;
}

/** Sends to every channel; the status is about the external ones (the log alone is `skipped`). */
export async function deliver(channels: AlertChannel[], n: AlertNotification): Promise<Delivery> {
  const results = await Promise.all(
    channels.map(async (ch) => {
      try {
        return { ch, ok: true, attempts: (await ch.send(n)).attempts, error: null as string | null };
      } catch (err) {
        return {
          ch,
          ok: false,
          attempts: err instanceof DeliveryError ? err.attempts : 1,
          error: `${ch.name}: ${err instanceof Error ? err.message : String(err)}`,
        };
      }
    }),
  );
  const external = results.filter((r) => r.ch.external);
  if (external.length === 0) return { status: 'skipped', attempts: 0, error: null };
  const failed = external.filter((r) => !r.ok);
  return {
    status: failed.length === 0 ? 'delivered' : 'failed',
    attempts: external.reduce((n, r) => n + r.attempts, 0),
    error: failed.length ? failed.map((r) => r.error).join('; ') : null,
  };
}

export interface AlertRunResult {
  fired: string[];
  renotified: string[];
  resolved: string[];
  firing: string[];
}

/** Evaluate → plan → store and deliver. Safe to run concurrently with itself only at the cost of a duplicate alert. */
export async function processAlerts(
  prisma: PrismaClient,
  channels: AlertChannel[],
  conditions: AlertCondition[],
  o: { prefix: string; windowMs: number; now?: Date },
): Promise<AlertRunResult> {
  const { prefix, windowMs, now = new Date() } = o;
  // Alerts belong to one deployment (task queue prefix): two deployments sharing a database never resolve each other's.
  const open = await prisma.alert.findMany({
    where: { taskQueuePrefix: prefix, status: 'firing' },
    select: { id: true, key: true, kind: true, notifiedAt: true },
    take: 1_000,
  });
  const plan = planAlerts(conditions, open, now, windowMs);
  const note = (c: AlertCondition, status: 'firing' | 'resolved', firstSeenAt: Date, occurrences: number): AlertNotification => ({
    key: c.key,
    kind: c.kind,
    severity: c.severity,
    status,
    message: c.message,
    details: c.details,
    firstSeenAt: firstSeenAt.toISOString(),
    occurrences,
  });

  for (const c of plan.fire) {
    const id = randomUUID();
    const details = JSON.parse(JSON.stringify(c.details)) as Prisma.InputJsonValue;
    await prisma.alert.create({
      data: {
        id,
        taskQueuePrefix: prefix,
        key: c.key,
        kind: c.kind,
        severity: c.severity,
        message: c.message,
        details,
        firstSeenAt: now,
        lastSeenAt: now,
      },
    });
    const d = await deliver(channels, note(c, 'firing', now, 1));
    await prisma.alert.update({
      where: { id },
      data: { notifiedAt: now, deliveryStatus: d.status, deliveryAttempts: d.attempts, deliveryError: d.error },
    });
  }
  for (const r of plan.refresh) {
    const details = JSON.parse(JSON.stringify(r.condition.details)) as Prisma.InputJsonValue;
    const updated = await prisma.alert.update({
      where: { id: r.alert.id },
      data: { lastSeenAt: now, occurrences: { increment: 1 }, message: r.condition.message, details, severity: r.condition.severity },
    });
    if (r.notify) {
      const d = await deliver(channels, note(r.condition, 'firing', updated.firstSeenAt, updated.occurrences));
      await prisma.alert.update({
        where: { id: r.alert.id },
        data: { notifiedAt: now, deliveryStatus: d.status, deliveryAttempts: { increment: d.attempts }, deliveryError: d.error },
      });
    }
  }
  for (const r of plan.resolve) {
    const a = await prisma.alert.update({ where: { id: r.alert.id }, data: { status: 'resolved', resolvedAt: now } });
    if (r.notify) {
      const c: AlertCondition = {
        key: a.key,
        kind: a.kind as AlertKind,
        severity: a.severity as 'warning',
        message: `resolved: ${a.message}`,
        details: a.details as Record<string, unknown>,
      };
      const d = await deliver(channels, note(c, 'resolved', a.firstSeenAt, a.occurrences));
      await prisma.alert.update({
        where: { id: a.id },
        data: { resolveDeliveryStatus: d.status, deliveryAttempts: { increment: d.attempts }, ...(d.error && { deliveryError: d.error }) },
      });
    } else {
      await prisma.alert.update({ where: { id: a.id }, data: { resolveDeliveryStatus: 'skipped' } });
    }
  }
  return {
    fired: plan.fire.map((c) => c.key),
    renotified: plan.refresh.filter((r) => r.notify).map((r) => r.alert.key),
    resolved: plan.resolve.map((r) => r.alert.key),
    firing: [...plan.fire.map((c) => c.key), ...plan.refresh.map((r) => r.alert.key)],
  };
}

/**
 * Open circuit breakers from H2's `circuit_breakers` table (model CircuitBreaker); none while that table does not exist.
 * Shared breakers first: many clients' own host breakers cannot push them out of the 100.
 */
async function openBreakers(prisma: PrismaClient): Promise<AlertInputs['openBreakers']> {
  const [{ exists }] = await prisma.$queryRaw<
    Array<{ exists: boolean }>
  >`SELECT to_regclass('public.circuit_breakers') IS NOT NULL AS exists`;
  if (!exists) return [];
  const rows = await prisma.$queryRaw<Array<{ name: string; kind: string; failures: number; opened_at: Date | null }>>`
    SELECT name, kind, failures, opened_at FROM circuit_breakers WHERE state = 'open'
    ORDER BY kind = 'host_client', name LIMIT 100`;
  return rows.map((r) => ({ name: r.name, kind: r.kind, failures: Number(r.failures), openedAt: r.opened_at?.toISOString() ?? null }));
}

/** Gathers everything evaluateAlerts needs beyond the report: bounded queries through the finished_at index. */
export async function alertInputs(
  prisma: PrismaClient,
  report: HealthReport,
  previousRestarts: Record<string, number>,
  cfg: { windowMs: number; successRateThreshold: number; minVolume: number },
  now = new Date(),
): Promise<AlertInputs> {
  const hourAgo = new Date(now.getTime() - 3600_000);
  const windowStart = new Date(now.getTime() - cfg.windowMs);
  const [lastHour, failedRows, breakers] = await Promise.all([
    prisma.$queryRaw<Array<{ completed: number; failed: number }>>(Prisma.sql`
      SELECT count(*) FILTER (WHERE status = 'completed')::int AS completed,
             count(*) FILTER (WHERE status = 'failed' AND failure_reason IS DISTINCT FROM 'rate_limited')::int AS failed
      FROM scans WHERE finished_at >= ${hourAgo}`),
    // A scheduled run refused for its client's quota (rate_limited) is policy, not a platform failure: no alert.
    prisma.$queryRaw<Array<{ id: string; reason: string | null }>>(Prisma.sql`
      SELECT id, failure_reason AS reason FROM scans
      WHERE finished_at >= ${windowStart} AND status = 'failed' AND failure_reason IS DISTINCT FROM 'rate_limited'
      ORDER BY finished_at DESC LIMIT 1000`),
    openBreakers(prisma),
  ]);
  const byReason: Record<string, number> = {};
  for (const r of failedRows) byReason[r.reason ?? 'internal'] = (byReason[r.reason ?? 'internal'] ?? 0) + 1;
  const memoryRestarts = report.workers
    .filter((w) => w.state === 'running')
    .map((w) => ({
      identity: w.identity,
      total: w.browser.restarts.memory ?? 0,
      delta: (w.browser.restarts.memory ?? 0) - (previousRestarts[w.identity] ?? 0),
    }))
    .filter((r) => r.delta > 0);
  return {
    components: report.components,
    lastHour: lastHour[0] ?? { completed: 0, failed: 0 },
    failedInWindow: { count: failedRows.length, byReason, sampleScanIds: failedRows.slice(0, 10).map((r) => r.id), windowMs: cfg.windowMs },
    openBreakers: breakers,
    lostWorkers: report.workers.filter((w) => w.state === 'lost').map((w) => w.identity),
    memoryRestarts,
    config: { successRateThreshold: cfg.successRateThreshold, minVolume: cfg.minVolume },
  };
}
