import { z } from 'zod';
import { nextCursor, nullableTimestamp, timestamp } from './common.responses';

// The admin monitoring views. Their inner parts are documented in README "Monitoring"; here each is pinned down to
// the members operators and the Web UI read, and stays open for the rest.

const healthStatus = z.enum(['healthy', 'warning', 'critical']);

export const HealthReport = z.looseObject({ status: healthStatus }).meta({ id: 'HealthReport' });

export const QueueHealth = z
  .looseObject({ status: healthStatus, message: z.string().optional(), asOf: timestamp })
  .meta({ id: 'QueueHealth' });

export const PuppeteerReport = z
  .looseObject({
    summary: z.looseObject({
      live: z.number().int(),
      lost: z.number().int(),
      stopped: z.number().int(),
      pagesInUse: z.number().int(),
      maxPages: z.number().int(),
      chromiumPssMb: z.number(),
      maxMemoryMbPerWorker: z.number(),
      telemetryIntervalMs: z.number(),
    }),
    workers: z.array(z.looseObject({ state: z.string() })),
    asOf: timestamp,
  })
  .meta({ id: 'PuppeteerReport' });

export const ReliabilityReport = z.looseObject({}).meta({ id: 'ReliabilityReport', description: 'README "Reliability".' });

export const AlertList = z
  .looseObject({
    firing: z.number().int(),
    alerts: z.array(
      z.looseObject({
        id: z.string(),
        key: z.string(),
        kind: z.string(),
        severity: z.string(),
        status: z.enum(['firing', 'resolved']),
        message: z.string(),
        occurrences: z.number().int(),
        firstSeenAt: timestamp,
        lastSeenAt: timestamp,
        notifiedAt: nullableTimestamp,
        resolvedAt: nullableTimestamp,
        delivery: z.looseObject({}),
      }),
    ),
    next: nextCursor,
  })
  .meta({ id: 'AlertList' });

export const Dashboard = z
  .looseObject({
    health: z.unknown(),
    queue: z.looseObject({ health: z.unknown(), stats: z.unknown() }),
    puppeteer: z.unknown(),
    reliability: z.unknown(),
    alerts: z.unknown(),
    safety: z.unknown(),
    asOf: timestamp,
  })
  .meta({ id: 'Dashboard', description: 'Each part is its endpoint\'s answer, or `{ "error": "unavailable" }` when that part failed.' });

export const RecoveryRun = z
  .looseObject({ workflowId: z.string(), durationMs: z.number(), status: z.string(), actions: z.array(z.unknown()) })
  .meta({ id: 'RecoveryRun' });

const QueueCounts = z.looseObject({
  waiting: z.number().int(),
  active: z.number().int(),
  finishing: z.number().int(),
  completed: z.number().int(),
  failed: z.number().int(),
  delayed: z.number().int(),
  cancelled: z.number().int(),
});

export const QueueStats = QueueCounts.extend({
  window: z.string(),
  since: timestamp,
  clientId: z.string().optional(),
  queues: z.record(z.string(), QueueCounts),
  temporal: z.looseObject({ runningWorkflows: z.number().int().nullable(), asOf: nullableTimestamp, error: z.string().optional() }),
  asOf: timestamp,
}).meta({ id: 'QueueStats' });

export const FailedJobList = z
  .looseObject({
    jobs: z.array(
      z.looseObject({
        jobId: z.uuid(),
        workflowId: z.string(),
        url: z.string(),
        clientId: z.string(),
        queue: z.string(),
        category: z.string().nullable(),
        message: z.string().nullable(),
        attempts: z.number().int(),
        attemptsLog: z.array(
          z.looseObject({ attempt: z.number().int(), category: z.string(), message: z.string().nullable(), at: timestamp }),
        ),
        lastAttemptAt: nullableTimestamp,
        finishedAt: nullableTimestamp,
        retryOf: z.uuid().nullable(),
        retriedBy: z.array(z.uuid()),
      }),
    ),
    next: nextCursor,
  })
  .meta({ id: 'FailedJobList' });

export const RetryStarted = z
  .looseObject({ scanId: z.uuid(), workflowId: z.string(), status: z.string(), retryOf: z.uuid(), existing: z.boolean() })
  .meta({ id: 'RetryStarted' });

export const ReconcileReport = z
  .looseObject({
    checked: z.number().int(),
    inAgreement: z.number().int(),
    problems: z.array(z.unknown()),
    since: z.string(),
    truncated: z.boolean(),
    asOf: timestamp,
  })
  .meta({ id: 'ReconcileReport' });

export const SafetyReport = z
  .looseObject({ limits: z.looseObject({}), rejections: z.looseObject({ last24h: z.looseObject({}), total: z.looseObject({}) }) })
  .meta({ id: 'SafetyReport', description: 'README "Safety, rate limits and circuit breakers".' });

export const RateLimitStatus = z
  .looseObject({
    clientId: z.string(),
    scansThisHour: z.number().int(),
    limit: z.number().int(),
    remaining: z.number().int(),
    resetTime: timestamp,
    source: z.enum(['override', 'default']),
  })
  .meta({ id: 'RateLimitStatus' });

export const WorkerList = z
  .looseObject({ workers: z.array(z.looseObject({ identity: z.string(), lastPollAt: nullableTimestamp })) })
  .meta({ id: 'WorkerList' });

export const WorkerCommandResult = z.looseObject({}).meta({ id: 'WorkerCommandResult' });
