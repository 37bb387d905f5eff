import { z } from 'zod';
import type { AuditPageStatus, AuditStatus } from '../../core/audit';
import { clientIdSchema, scanRequestFields } from './scans.schema';

// Ceilings that depend on configuration or on the client (maxPages, politeness.concurrency) are checked by the audit
// service, which answers the same 400 shape naming the field and the ceiling.
const patterns = z.array(z.string().min(1, 'must not be empty').max(500)).max(50);

const isHttpUrl = (v: string): boolean => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
};

/** "auto", "off" or the http(s) URL of a sitemap. */
const sitemap = z
  .string()
  .max(2048)
  .refine((v) => v === 'auto' || v === 'off' || isHttpUrl(v), 'must be "auto", "off" or an http(s) URL');

/** What an audit does, beyond its target and its per-page scan settings: POST /api/audits and an audit schedule's `audit`. */
export const auditOptionFields = {
  maxPages: z.number().int().min(1).optional(),
  /** Links away from the start page (sitemap entries are depth 0). */
  maxDepth: z.number().int().min(0).max(50).optional(),
  /** Pages per URL pattern at most (/blog/*, /calendar?month): bounds crawl traps. Default 50. */
  maxPerPattern: z.number().int().min(1).max(100_000).optional(),
  include: patterns.optional(),
  exclude: patterns.optional(),
  sitemap: sitemap.optional(),
  respectRobots: z.boolean().default(true),
  sampling: z
    .object({ perTemplate: z.number().int().min(1).max(100) })
    .strict()
    .optional(),
  politeness: z
    .object({
      concurrency: z.number().int().min(1).optional(),
      delayMs: z.number().int().min(0).max(60_000).optional(),
    })
    .strict()
    .optional(),
};

/** The `audit` object of POST /api/schedules: an audit's options, its target being the schedule's. */
export const AuditOptionsBody = z.object(auditOptionFields).strict();
export type AuditOptionsBody = z.infer<typeof AuditOptionsBody>;

export const CreateAuditBody = z.object({ ...scanRequestFields, ...auditOptionFields }).strict();
export type CreateAuditBody = z.infer<typeof CreateAuditBody>;

export const AuditIdParams = z.object({ auditId: z.string() });

export const ListAuditsQuery = z.object({
  clientId: clientIdSchema.optional(),
  prospectId: z.string().max(100).optional(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled'] satisfies AuditStatus[]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `next` cursor of the previous page (opaque). */
  cursor: z.string().max(100).optional(),
});
export type ListAuditsQuery = z.infer<typeof ListAuditsQuery>;

export const ListAuditPagesQuery = z.object({
  // "queued" is what progress calls pending pages.
  status: z
    .enum(['pending', 'scanning', 'scanned', 'failed', 'skipped', 'queued'])
    .transform((s) => (s === 'queued' ? 'pending' : s) as AuditPageStatus)
    .optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  /** The `next` cursor of the previous page (opaque). */
  cursor: z
    .string()
    .regex(/^\d{1,19}$/, 'must be the `next` value of a previous page')
    .optional(),
});
export type ListAuditPagesQuery = z.infer<typeof ListAuditPagesQuery>;
