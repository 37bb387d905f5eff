import { z } from 'zod';
import { FAILURE_CATEGORIES, isFailureCategory } from '../../core/contracts';
import { parseDuration, parseInstant } from '../../lib/time-window';
import { clientIdSchema } from './scans.schema';

const MAX_WINDOW_MS = 30 * 86_400_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** "15m", "24h", "7d" (at most 30d). */
const windowSchema = z
  .string()
  .default('24h')
  .transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null || ms > MAX_WINDOW_MS) {
      ctx.addIssue({ code: 'custom', message: 'must be a duration such as 15m, 24h or 7d (at most 30d)' });
      return z.NEVER;
    }
    return { text, ms };
  });

/** A duration back from now ("24h") or an ISO 8601 date-time with a zone. */
const instantSchema = z.string().transform((text, ctx) => {
  const at = parseInstant(text);
  if (!at) {
    ctx.addIssue({ code: 'custom', message: 'must be a duration such as 24h or an ISO 8601 date-time such as 2026-11-28T10:00:00Z' });
    return z.NEVER;
  }
  return at;
});

export const QueueStatsQuery = z.object({ window: windowSchema, clientId: clientIdSchema.optional() });
export type QueueStatsQuery = z.infer<typeof QueueStatsQuery>;

/** The `next` cursor of the failed list: `<finishedAt ISO>_<scanId>`; a bare ISO date-time works too. */
export interface FailedCursor {
  at: Date;
  id?: string;
}
const cursorSchema = z.string().transform((text, ctx): FailedCursor => {
  const [iso, id, ...rest] = text.split('_');
  const at = parseDuration(iso) === null ? parseInstant(iso) : null;
  if (!at || rest.length > 0 || (id !== undefined && !UUID.test(id))) {
    ctx.addIssue({ code: 'custom', message: 'must be the `next` value of the previous page (or an ISO 8601 date-time)' });
    return z.NEVER;
  }
  return { at, id };
});

export const FailedJobsQuery = z
  .object({
    clientId: clientIdSchema.optional(),
    category: z
      .string()
      .refine(isFailureCategory, `must be one of ${FAILURE_CATEGORIES.join(', ')}`)
      .optional(),
    since: instantSchema.optional(),
    until: instantSchema.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: cursorSchema.optional(),
    /** The older name of `cursor`, still accepted. */
    before: cursorSchema.optional(),
  })
  .refine((q) => q.cursor === undefined || q.before === undefined, {
    message: 'give cursor or its older name before, not both',
    path: ['before'],
  });
export type FailedJobsQuery = z.infer<typeof FailedJobsQuery>;

export const JobIdParams = z.object({ jobId: z.string() });

export const ReconcileQuery = z.object({
  since: instantSchema.default(() => new Date(Date.now() - 86_400_000)),
  clientId: clientIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(50_000).default(10_000),
});
export type ReconcileQuery = z.infer<typeof ReconcileQuery>;
