import { z } from 'zod';
import type { ZodOpenApiPathsObject } from 'zod-openapi';
import { Liveness, Readiness } from '../../schemas/health.responses';
import { json, problem } from '../responses';

const tags = ['Probes'];

/** Served before the API router: no key (except /metrics), no rate limit. */
export const probesPaths: ZodOpenApiPathsObject = {
  '/healthz': {
    get: {
      operationId: 'liveness',
      tags,
      summary: 'Liveness',
      security: [],
      responses: { '200': json('Up.', Liveness) },
    },
  },
  '/readyz': {
    get: {
      operationId: 'readiness',
      tags,
      summary: 'Readiness: database and Temporal reachable',
      security: [],
      responses: { '200': json('Ready.', Readiness), '503': json('Not ready.', Readiness) },
    },
  },
  '/metrics': {
    get: {
      operationId: 'metrics',
      tags,
      summary: 'Prometheus metrics (the admin key or METRICS_TOKEN as Bearer)',
      responses: {
        '200': { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: z.string() } } },
        '401': problem(401),
        '500': problem(500),
      },
    },
  },
};
