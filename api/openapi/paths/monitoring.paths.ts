import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';
import { AlertsQuery, ReliabilityQuery } from '../../schemas/health-monitoring.schema';
import { FailedJobsQuery, JobIdParams, QueueStatsQuery, ReconcileQuery } from '../../schemas/monitoring.schema';
import { RateLimitParams, SetRateLimitBody } from '../../schemas/safety.schema';
import { WorkerCommandParams } from '../../schemas/workers.schema';
import {
  AlertList,
  Dashboard,
  FailedJobList,
  HealthReport,
  PuppeteerReport,
  QueueHealth,
  QueueStats,
  RateLimitStatus,
  ReconcileReport,
  RecoveryRun,
  ReliabilityReport,
  RetryStarted,
  SafetyReport,
  WorkerCommandResult,
  WorkerList,
} from '../../schemas/monitoring.responses';
import { apiResponses, BODY_ERRORS, json, jsonBody, location } from '../responses';

const tags = ['Monitoring'];

/** Admin-only operations: a client key is a 403. */
const admin = (op: ZodOpenApiOperationObject): ZodOpenApiOperationObject => ({
  tags,
  ...op,
  responses: { ...op.responses, ...apiResponses({}, [403]) },
});

export const monitoringPaths: ZodOpenApiPathsObject = {
  '/api/monitoring/health': {
    get: admin({
      operationId: 'getHealth',
      summary: 'Platform health (503 when critical, so load balancers can use it)',
      description: 'Exempt from the rate limits for the admin key.',
      responses: { '200': json('Healthy or degraded.', HealthReport), '503': json('Critical.', HealthReport) },
    }),
  },
  '/api/monitoring/queue/health': {
    get: admin({ operationId: 'getQueueHealth', summary: 'Queue health', responses: { '200': json('Queue health.', QueueHealth) } }),
  },
  '/api/monitoring/puppeteer': {
    get: admin({
      operationId: 'getPuppeteer',
      summary: 'Browser workers and their pools',
      responses: { '200': json('Workers.', PuppeteerReport) },
    }),
  },
  '/api/monitoring/reliability': {
    get: admin({
      operationId: 'getReliability',
      summary: 'Success rates over days',
      requestParams: { query: ReliabilityQuery },
      responses: apiResponses({ '200': json('The report.', ReliabilityReport) }, [400]),
    }),
  },
  '/api/monitoring/alerts': {
    get: admin({
      operationId: 'listAlerts',
      summary: 'Alerts, latest first',
      requestParams: { query: AlertsQuery },
      responses: apiResponses({ '200': json('Alerts.', AlertList) }, [400]),
    }),
  },
  '/api/monitoring/dashboard': {
    get: admin({
      operationId: 'getDashboard',
      summary: 'Every monitoring view at once',
      responses: { '200': json('The dashboard.', Dashboard) },
    }),
  },
  '/api/monitoring/recover': {
    post: admin({
      operationId: 'recover',
      summary: 'Run a health check and its recovery now',
      responses: apiResponses({ '200': json('What the run did.', RecoveryRun) }, [502, 503]),
    }),
  },
  '/api/monitoring/queue/stats': {
    get: admin({
      operationId: 'getQueueStats',
      summary: 'Scan counts by state in a window',
      requestParams: { query: QueueStatsQuery },
      responses: apiResponses({ '200': json('The counts.', QueueStats) }, [400]),
    }),
  },
  '/api/monitoring/queue/failed': {
    get: admin({
      operationId: 'listFailedJobs',
      summary: 'Failed scans, latest first',
      requestParams: { query: FailedJobsQuery },
      responses: apiResponses({ '200': json('A page of failed scans.', FailedJobList) }, [400]),
    }),
  },
  '/api/monitoring/queue/retry/{jobId}': {
    post: admin({
      operationId: 'retryFailedJob',
      summary: 'Re-run a failed scan as a new scan',
      requestParams: { path: JobIdParams },
      responses: apiResponses({ '202': json('The retry.', RetryStarted, location) }, [404, 409, 503]),
    }),
  },
  '/api/monitoring/reconcile': {
    get: admin({
      operationId: 'reconcile',
      summary: 'Postgres against Temporal',
      requestParams: { query: ReconcileQuery },
      responses: apiResponses({ '200': json('The comparison.', ReconcileReport) }, [400]),
    }),
  },
  '/api/monitoring/safety': {
    get: admin({
      operationId: 'getSafety',
      summary: 'Limits, refusals and circuit breakers',
      responses: { '200': json('The report.', SafetyReport) },
    }),
  },
  '/api/monitoring/rate-limit/{clientId}': {
    get: {
      tags,
      operationId: 'getRateLimit',
      summary: "A client's hourly scan quota (admin, or that client's key)",
      requestParams: { path: RateLimitParams },
      responses: apiResponses({ '200': json('The quota.', RateLimitStatus) }, [400, 404]),
    },
    put: admin({
      operationId: 'setRateLimit',
      summary: "Set a client's scans per hour (null restores the default)",
      requestParams: { path: RateLimitParams },
      requestBody: jsonBody(SetRateLimitBody),
      responses: apiResponses({ '200': json('The quota.', RateLimitStatus) }, BODY_ERRORS),
    }),
  },
  '/api/monitoring/workers': {
    get: admin({
      operationId: 'listWorkers',
      summary: 'Workers polling the browser queue',
      responses: { '200': json('Workers.', WorkerList) },
    }),
  },
  '/api/monitoring/workers/{identity}/{command}': {
    post: admin({
      operationId: 'commandWorker',
      summary: "Restart a worker's browser, or drain it",
      requestParams: { path: WorkerCommandParams },
      responses: apiResponses({ '200': json('What the worker did.', WorkerCommandResult) }, [400, 404, 502]),
    }),
  },
};
