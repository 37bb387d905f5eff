import { z } from 'zod';
import { nextCursor, nullableTimestamp, queueName, timestamp } from './common.responses';

const auditStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);

export const AuditSubmitted = z
  .looseObject({ auditId: z.uuid(), workflowId: z.string(), status: z.literal('queued') })
  .meta({ id: 'AuditSubmitted' });

const AuditProgress = z.looseObject({
  discovered: z.number().int(),
  queued: z.number().int(),
  scanning: z.number().int(),
  scanned: z.number().int(),
  failed: z.number().int(),
  skipped: z.number().int(),
  skippedByReason: z.record(z.string(), z.number().int()),
});

/** The site report (audits/ builds it): described by its top level only, its parts are documented in README "Site audits". */
export const SiteReport = z.looseObject({}).meta({ id: 'SiteReport', description: 'The site report of an audit (README "Site audits").' });

export const Audit = z
  .looseObject({
    auditId: z.uuid(),
    workflowId: z.string(),
    status: auditStatus,
    url: z.string(),
    clientId: z.string(),
    prospectId: z.uuid().nullable(),
    queue: queueName,
    priority: z.number().int(),
    options: z.looseObject({}),
    progress: AuditProgress,
    discovery: z.unknown(),
    failureReason: z.string().nullable(),
    failureMessage: z.string().nullable(),
    createdAt: timestamp,
    startedAt: nullableTimestamp,
    finishedAt: nullableTimestamp,
    report: SiteReport.nullable(),
  })
  .meta({ id: 'Audit' });

export const AuditList = z
  .looseObject({
    audits: z.array(
      Audit.pick({
        auditId: true,
        workflowId: true,
        status: true,
        url: true,
        clientId: true,
        prospectId: true,
        createdAt: true,
        startedAt: true,
        finishedAt: true,
        progress: true,
      }),
    ),
    next: nextCursor,
  })
  .meta({ id: 'AuditList' });

export const AuditPageList = z
  .looseObject({
    auditId: z.uuid(),
    pages: z.array(
      z.looseObject({
        url: z.string(),
        depth: z.number().int(),
        source: z.string(),
        status: z.enum(['pending', 'scanning', 'scanned', 'failed', 'skipped']),
        skipReason: z.string().nullable(),
        detail: z.string().nullable(),
        scanId: z.uuid().nullable(),
        score: z.number().nullable(),
      }),
    ),
    next: nextCursor,
  })
  .meta({ id: 'AuditPageList' });

export const AuditCancelling = z.looseObject({ auditId: z.uuid(), status: z.literal('cancelling') }).meta({ id: 'AuditCancelling' });
