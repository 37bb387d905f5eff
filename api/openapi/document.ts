import { createDocument, type ZodOpenApiPathsObject } from 'zod-openapi';
import { ProblemDetails } from '../problem-details';
import { auditsPaths } from './paths/audits.paths';
import { bulkPaths } from './paths/bulk.paths';
import { docsPaths } from './paths/docs.paths';
import { keysPaths } from './paths/keys.paths';
import { monitoringPaths } from './paths/monitoring.paths';
import { probesPaths } from './paths/probes.paths';
import { prospectsPaths } from './paths/prospects.paths';
import { scansPaths } from './paths/scans.paths';
import { schedulesPaths } from './paths/schedules.paths';

export type OpenApiDocument = ReturnType<typeof createDocument>;

const PATHS: ZodOpenApiPathsObject[] = [
  scansPaths,
  bulkPaths,
  auditsPaths,
  prospectsPaths,
  schedulesPaths,
  keysPaths,
  monitoringPaths,
  probesPaths,
  docsPaths,
];

/**
 * The contract's own version (info.version): raise the minor for an added operation or member, the major for a
 * change a client would notice. Not the package version, which moves with worker-only changes.
 */
export const API_CONTRACT_VERSION = '1.0.0';

/** The OpenAPI 3.1 document of the API, generated from the zod schemas the routes validate with and answer in. */
export function buildOpenApiDocument(): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  for (const group of PATHS) {
    for (const [path, item] of Object.entries(group)) paths[path] = { ...paths[path], ...item };
  }
  return createDocument(
    {
      openapi: '3.1.0',
      info: {
        title: 'WCAG scanner API',
        version: API_CONTRACT_VERSION,
        description:
          'Accessibility scans, site audits, prospects, schedules and monitoring (README "API"). Errors are RFC 9457 ' +
          'problem details (`application/problem+json`) that keep the members `error`, `message`, `requestId` and `details`.',
      },
      servers: [{ url: '/' }],
      security: [{ bearer: [] }],
      tags: [
        { name: 'Scans' },
        { name: 'Bulk scans' },
        { name: 'Site audits' },
        { name: 'Prospects' },
        { name: 'Schedules' },
        { name: 'API keys' },
        { name: 'Monitoring' },
        { name: 'Probes' },
        { name: 'Reference' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'The admin key (ADMIN_API_KEY) or a client key (POST /api/keys).' },
        },
        schemas: { ProblemDetails },
      },
      paths,
    },
    // Schemas with a `.meta({ id })` become components referenced by $ref; the rest is inlined where used.
  );
}

let cached: { json: string; document: OpenApiDocument } | undefined;

/**
 * Built on first use, then kept for the life of the process (the schemas do not change at runtime): the document and
 * its serialisation. Generation is deterministic: the same code gives the same bytes.
 */
export function openApiDocument(): { document: OpenApiDocument; json: string } {
  if (!cached) {
    const document = buildOpenApiDocument();
    cached = { document, json: JSON.stringify(document) };
  }
  return cached;
}
