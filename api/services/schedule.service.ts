import { randomUUID } from 'node:crypto';
import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
} from '@temporalio/client';
import { checkUrlSyntax, type UrlPolicy } from '../../targets/url-safety';
import { taskQueuePrefixOf, type Env } from '../../lib/env';
import type { PrismaClient } from '../../lib/prisma';
import { auditScheduleIdPrefix, type AuditOptions, type ScheduledAuditInput } from '../../core/audit';
import { scanScheduleIdPrefix, SearchAttributes, taskQueues, type ScheduledScanInput } from '../../core/contracts';
import { siteHostsOf } from '../../audits/normalise-url';
import type { scheduledAuditWorkflow, scheduledScanWorkflow } from '../../workflows';
import { invalidField, limitReached, notFound } from '../http-errors';
import { scanOptionsFrom, workflowSettings } from './scan-options';
import type { Principal } from './api-key.service';
import { actingClient, canAccessClient, submitterOf } from './access';
import { listSchedulePage } from './schedule-page';
import { resolveAuditRequest } from './audit-request';
import type { RateLimitService } from './rate-limit.service';
import type { ScanService } from './scan.service';
import type { CreateScheduleBody, ListSchedulesQuery } from '../schemas/schedules.schema';

export interface ScheduleServiceDeps {
  env: Env;
  prisma: PrismaClient;
  temporal: Client;
  urlPolicy: UrlPolicy;
  taskQueuePrefix?: string;
  /** An audit schedule's target is checked like a submitted audit's (DNS included). */
  scans: Pick<ScanService, 'assertSubmittable'>;
  /** A client key's audit schedule has the same maxPages ceiling as its audits (its hourly quota). */
  rateLimits?: Pick<RateLimitService, 'status'>;
}

/**
 * One overlap policy for every firing of a client's schedule, by the calendar or by `trigger`: SKIP. A firing due
 * while the previous run (the scan or audit it started, which the scheduled workflow awaits) is still going is
 * dropped, never queued or doubled (README "Schedules"; test/integration/schedules.int.test.ts).
 */
const SCHEDULE_OVERLAP = ScheduleOverlapPolicy.SKIP;

/** What each firing of the schedule starts: one scan, or one site audit. */
export type ScheduleKind = 'scan' | 'audit';

interface ScheduleMemo {
  clientId: string;
  // Temporal describes a cron spec back as calendars; keep the expression the user gave.
  cron?: string;
  url: string;
  prospectId?: string;
  name?: string;
  /** An audit schedule's options, resolved at creation (the workflow input holds the same). */
  audit?: AuditOptions;
}

/** The kind of one of our schedules by its id; undefined for any other schedule (health, retention, another app's). */
export function scheduleKindOf(scheduleId: string): ScheduleKind | undefined {
  if (scheduleId.startsWith(scanScheduleIdPrefix)) return 'scan';
  if (scheduleId.startsWith(auditScheduleIdPrefix)) return 'audit';
  return undefined;
}

/** Recurring audits as Temporal Schedules: visible in the Web UI and `temporal schedule list`. */
export function createScheduleService(deps: ScheduleServiceDeps) {
  const { env, temporal } = deps;
  const prefix = taskQueuePrefixOf(deps);
  const queues = taskQueues(prefix);

  const minIntervalMs = env.SCHEDULE_MIN_INTERVAL_MINUTES * 60_000;
  const minutes = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} seconds` : `${Math.round(ms / 60_000)} minutes`);

  /** The client's scan and audit schedules, from Temporal's visibility store (eventually consistent: a second or so behind). */
  async function schedulesOf(clientId: string): Promise<number> {
    let n = 0;
    for await (const s of temporal.schedule.list({ query: `ClientId="${clientId}"` })) {
      if (scheduleKindOf(s.scheduleId) && ((s.memo ?? {}) as unknown as ScheduleMemo).clientId === clientId) n++;
    }
    return n;
  }

  /**
   * The shortest gap between the schedule's next runs as Temporal computed them (describe's nextActionTimes, 10 of
   * them), so "@every 1s", a seconds field or "0,1 * * * *" are caught whatever their text looks like.
   */
  function shortestGap(d: ScheduleDescription): { gapMs: number; at: [Date, Date] } | undefined {
    const times = d.info.nextActionTimes;
    let best: { gapMs: number; at: [Date, Date] } | undefined;
    for (let i = 1; i < times.length; i++) {
      const gapMs = times[i].getTime() - times[i - 1].getTime();
      if (!best || gapMs < best.gapMs) best = { gapMs, at: [times[i - 1], times[i]] };
    }
    return best;
  }

  /** The newest scans this schedule started or refused (a refused run is a failed scan with reason rate_limited). */
  const recentScans = (clientId: string | undefined, scheduleId: string) =>
    clientId === undefined
      ? Promise.resolve([])
      : deps.prisma.scan
          .findMany({
            where: { clientId, scheduleId },
            orderBy: { createdAt: 'desc' },
            take: 5,
            select: { id: true, status: true, failureReason: true, failureMessage: true, createdAt: true, finishedAt: true },
          })
          .then((rows) => rows.map(({ id, ...r }) => ({ scanId: id, ...r })));

  /** The newest audits this schedule started, from the audits table (each firing files its audit under the schedule). */
  const recentAudits = (clientId: string | undefined, scheduleId: string) =>
    clientId === undefined
      ? Promise.resolve([])
      : deps.prisma.audit
          .findMany({
            where: { clientId, scheduleId },
            orderBy: { createdAt: 'desc' },
            take: 5,
            select: {
              id: true,
              status: true,
              failureReason: true,
              failureMessage: true,
              createdAt: true,
              startedAt: true,
              finishedAt: true,
            },
          })
          .then((rows) => rows.map(({ id, ...r }) => ({ auditId: id, ...r })));

  /** What a firing started, as the schedule view shows it: its scans, or its audits and their options. */
  const runsOf = async (d: ScheduleDescription, memo: ScheduleMemo) =>
    scheduleKindOf(d.scheduleId) === 'audit'
      ? {
          audit: memo.audit,
          runningAudits: d.info.runningActions.length,
          recentAudits: await recentAudits(memo.clientId, d.scheduleId),
        }
      : { runningScans: d.info.runningActions.length, recentScans: await recentScans(memo.clientId, d.scheduleId) };

  const view = async (d: ScheduleDescription) => {
    const memo = (d.memo ?? {}) as unknown as ScheduleMemo;
    return {
      scheduleId: d.scheduleId,
      kind: scheduleKindOf(d.scheduleId),
      name: memo.name,
      clientId: memo.clientId,
      url: memo.url,
      prospectId: memo.prospectId,
      cron: memo.cron,
      intervalMinutes: d.spec.intervals?.[0] ? Number(d.spec.intervals[0].every) / 60_000 : undefined,
      timezone: d.spec.timezone ?? 'UTC',
      overlap: 'skip' as const satisfies Lowercase<typeof SCHEDULE_OVERLAP>,
      paused: d.state.paused,
      note: d.state.note || undefined,
      nextRuns: d.info.nextActionTimes.slice(0, 5),
      recentRuns: d.info.recentActions.slice(-5).map((a) => ({
        scheduledAt: a.scheduledAt,
        startedAt: a.takenAt,
        workflowId: a.action.type === 'startWorkflow' ? a.action.workflow.workflowId : undefined,
      })),
      ...(await runsOf(d, memo)),
      createdAt: d.info.createdAt,
    };
  };

  /** A scan schedule's URL: its syntax and the target rules that need no DNS (the worker checks again at each run). */
  function syntaxChecked(url: string): URL {
    const check = checkUrlSyntax(url, deps.urlPolicy);
    if (!check.ok) throw invalidField('url', check.reason, { category: check.category }, { flat: true });
    return check.url;
  }

  /** The schedule, if this principal may see it; otherwise "not found", whoever owns it. */
  async function describeVisible(scheduleId: string, principal: Principal) {
    try {
      const handle = temporal.schedule.getHandle(scheduleId);
      const d = await handle.describe();
      const owner = ((d.memo ?? {}) as unknown as ScheduleMemo).clientId;
      if (!canAccessClient(principal, owner)) throw notFound('schedule');
      return { handle, description: d };
    } catch (err) {
      if (err instanceof ScheduleNotFoundError) throw notFound('schedule');
      throw err;
    }
  }

  return {
    async create(body: CreateScheduleBody, principal: Principal) {
      let url = body.url;
      let clientId = principal.kind === 'client' ? principal.clientId : body.clientId;
      if (principal.kind === 'client' && body.clientId && body.clientId !== principal.clientId) {
        throw invalidField('clientId', 'this key can only schedule scans for its own client');
      }
      if (body.prospectId) {
        const prospect = await deps.prisma.prospect.findUnique({ where: { id: body.prospectId } });
        if (!prospect || (clientId && prospect.clientId !== clientId)) throw notFound('prospect');
        url = prospect.url;
        clientId = prospect.clientId;
      }
      if (!clientId) throw invalidField('clientId', 'is required');
      // An audit schedule is checked exactly like POST /api/audits, once: its options are resolved here for every firing.
      const audit = body.audit
        ? await resolveAuditRequest(
            deps,
            { ...body.audit, url: url!, timeout: body.timeout, maxRetries: body.maxRetries },
            principal,
            clientId,
            'audit.',
          )
        : undefined;
      const target = audit?.target ?? syntaxChecked(url!);
      // The admin key is the operator: its schedules are exempt from the minimum interval and the hourly quota,
      // as its scan submissions are from the quota. The per-client ceiling binds everyone.
      const limited = principal.kind === 'client';
      if (limited && body.intervalMinutes !== undefined && body.intervalMinutes < env.SCHEDULE_MIN_INTERVAL_MINUTES) {
        throw invalidField(
          'intervalMinutes',
          `must be at least ${env.SCHEDULE_MIN_INTERVAL_MINUTES} (SCHEDULE_MIN_INTERVAL_MINUTES) for a client key's schedule`,
          { minimumMinutes: env.SCHEDULE_MIN_INTERVAL_MINUTES },
          { flat: true },
        );
      }
      const existing = await schedulesOf(clientId);
      if (existing >= env.MAX_SCHEDULES_PER_CLIENT)
        throw limitReached('schedules', clientId, existing, env.MAX_SCHEDULES_PER_CLIENT, 'MAX_SCHEDULES_PER_CLIENT');

      const kind: ScheduleKind = audit ? 'audit' : 'scan';
      const scheduleId = `${kind === 'audit' ? auditScheduleIdPrefix : scanScheduleIdPrefix}${randomUUID()}`;
      const memo: ScheduleMemo = {
        clientId,
        cron: body.cron,
        url: target.href,
        prospectId: body.prospectId,
        name: body.name,
        ...(audit && { audit: audit.options }),
      };
      const options: Omit<ScheduleOptions, 'action'> = {
        scheduleId,
        spec: {
          ...(body.cron ? { cronExpressions: [body.cron] } : { intervals: [{ every: body.intervalMinutes! * 60_000 }] }),
          timezone: body.timezone,
        },
        policies: {
          // A monthly audit still running when the next one is due is not doubled: the late one is skipped.
          overlap: SCHEDULE_OVERLAP,
          // After an outage, run a missed audit if it is less than a day late.
          catchupWindow: '1 day',
          pauseOnFailure: false,
        },
        // A client key's schedule starts paused until its run times are checked: nothing fires meanwhile.
        state: { paused: body.paused || limited, note: body.paused ? 'created paused' : limited ? 'checking its run times' : undefined },
        memo: memo as unknown as Record<string, unknown>,
        typedSearchAttributes: [
          { key: SearchAttributes.ClientId, value: clientId },
          { key: SearchAttributes.Queue, value: body.queue },
          { key: SearchAttributes.TargetHost, value: target.hostname },
        ],
      };
      const common = {
        scheduleId,
        clientId,
        prospectId: body.prospectId,
        queue: body.queue,
        priority: body.priority,
        ...workflowSettings(env, prefix),
      };
      try {
        if (audit) {
          const input: ScheduledAuditInput = {
            ...common,
            submittedBy: submitterOf(principal),
            startUrl: target.href,
            siteHosts: siteHostsOf(target.href),
            options: audit.options,
            quotaExempt: !limited,
          };
          // Like a submitted audit's workflow, on the low queue whatever its pages' queue: single scans go first.
          await temporal.schedule.create<typeof scheduledAuditWorkflow>({
            ...options,
            action: {
              type: 'startWorkflow',
              workflowType: 'scheduledAuditWorkflow',
              args: [input],
              taskQueue: queues.low,
              workflowId: `${scheduleId}-run`,
            },
          });
        } else {
          const input: ScheduledScanInput = {
            ...common,
            url: target.href,
            options: scanOptionsFrom(env, body),
            ...(!limited && { quotaExempt: true }),
          };
          await temporal.schedule.create<typeof scheduledScanWorkflow>({
            ...options,
            action: {
              type: 'startWorkflow',
              workflowType: 'scheduledScanWorkflow',
              args: [input],
              taskQueue: queues[body.queue],
              workflowId: `${scheduleId}-run`,
            },
          });
        }
      } catch (err) {
        // The server validates cron expressions; its message names the problem.
        if (/invalid|cron|parse/i.test((err as Error).message ?? '')) throw invalidField('cron', (err as Error).message);
        throw err;
      }
      const handle = temporal.schedule.getHandle(scheduleId);
      if (limited) {
        const gap = shortestGap(await handle.describe());
        if (gap && gap.gapMs < minIntervalMs) {
          await handle.delete();
          const what = body.cron ? `cron: "${body.cron}"` : `intervalMinutes: ${body.intervalMinutes}`;
          const problem =
            `would run ${minutes(gap.gapMs)} apart (${gap.at[0].toISOString()} and ${gap.at[1].toISOString()}); ` +
            `a client key's schedule must leave at least ${env.SCHEDULE_MIN_INTERVAL_MINUTES} minutes between runs (SCHEDULE_MIN_INTERVAL_MINUTES)`;
          throw invalidField(
            body.cron ? 'cron' : 'intervalMinutes',
            problem,
            { minimumMinutes: env.SCHEDULE_MIN_INTERVAL_MINUTES, shortestGapSeconds: gap.gapMs / 1000 },
            { message: `${what} ${problem}`, flat: true },
          );
        }
        // (an empty note would be read as "no unpause" by the server)
        if (!body.paused) await handle.unpause('created; run times checked');
      }
      return view(await handle.describe());
    },

    /** Our scan and audit schedules this principal may see, one page at a time (see listSchedulePage). */
    async list(principal: Principal, q: ListSchedulesQuery) {
      const clientId = actingClient(principal, q.clientId, 'this key can only list its own schedules');
      // ClientId is one of our search attributes: the client's schedules are picked by the visibility store.
      const query = clientId === undefined ? undefined : `ClientId="${clientId}"`;
      const { items, next } = await listSchedulePage(temporal, { query, limit: q.limit, cursor: q.cursor }, (s) => {
        const kind = scheduleKindOf(s.scheduleId);
        const memo = s.memo as unknown as ScheduleMemo;
        if (!kind || !canAccessClient(principal, memo.clientId) || (clientId !== undefined && memo.clientId !== clientId)) return undefined;
        return {
          scheduleId: s.scheduleId,
          kind,
          name: memo.name,
          clientId: memo.clientId,
          url: memo.url,
          paused: s.paused,
          nextRuns: s.nextActionTimes.slice(0, 3),
        };
      });
      return { schedules: items, next };
    },

    async get(scheduleId: string, principal: Principal) {
      return view((await describeVisible(scheduleId, principal)).description);
    },

    async pause(scheduleId: string, principal: Principal, paused: boolean) {
      const { handle } = await describeVisible(scheduleId, principal);
      if (paused) await handle.pause('paused through the API');
      else await handle.unpause('resumed through the API');
      return view(await handle.describe());
    },

    /**
     * Runs it now, whatever the calendar says, with the same overlap policy as the calendar's firings (SKIP): while
     * a run is still going, a trigger is dropped (still 202: Temporal accepts it and then skips it), never doubled.
     * The run is charged to the client's hourly quota like any firing.
     */
    async trigger(scheduleId: string, principal: Principal) {
      const { handle } = await describeVisible(scheduleId, principal);
      await handle.trigger(SCHEDULE_OVERLAP);
    },

    async remove(scheduleId: string, principal: Principal) {
      const { handle } = await describeVisible(scheduleId, principal);
      await handle.delete();
    },
  };
}
export type ScheduleService = ReturnType<typeof createScheduleService>;
