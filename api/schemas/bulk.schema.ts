import { z } from 'zod';
import { clientIdSchema } from './scans.schema';

export const MAX_BULK_ITEMS = 10_000;

// Items are checked one by one after parsing, so one bad URL rejects that item, not the whole request.
const BulkScanItem = z.object({
  url: z.unknown(),
  clientId: z.unknown().optional(),
  prospectId: z.unknown().optional(),
});

const perScanOptions = {
  queue: z.enum(['high', 'low']).default('low'),
  priority: z.number().int().min(1).max(10).default(5),
  timeout: z.number().int().min(1_000).optional(),
  maxRetries: z.number().int().min(0).max(5).optional(),
  wcagTags: z
    .array(z.string().regex(/^[a-z0-9-]+$/i))
    .min(1)
    .max(20)
    .optional(),
};

export const CreateBulkBody = z
  .object({
    /** Our prospect UUIDs or the client's external ids (`prospect-123`), mixed freely. */
    prospectIds: z.array(z.string()).min(1).max(MAX_BULK_ITEMS).optional(),
    scans: z.array(BulkScanItem).min(1).max(MAX_BULK_ITEMS).optional(),
    /**
     * Default client for `scans` items without their own. With `prospectIds`, the client whose prospects they are:
     * external ids resolve only within one client (a client key's own; the admin key names it here).
     */
    clientId: clientIdSchema.optional(),
    ...perScanOptions,
  })
  .strict()
  .refine((b) => (b.prospectIds ? 1 : 0) + (b.scans ? 1 : 0) === 1, { message: 'give exactly one of prospectIds or scans' });
export type CreateBulkBody = z.infer<typeof CreateBulkBody>;

export const BulkIdParams = z.object({ bulkId: z.uuid() });
export const BulkItemsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
    /** The `next` value of the previous page (opaque; today the last item's index). */
    cursor: z
      .string()
      .regex(/^\d{1,9}$/, 'must be the `next` value of a previous page')
      .optional(),
    /** The older way to page: items to skip. Still accepted. */
    offset: z.coerce.number().int().min(0).optional(),
  })
  .refine((q) => q.cursor === undefined || q.offset === undefined, {
    message: 'give cursor or offset, not both',
    path: ['offset'],
  });
export type BulkItemsQuery = z.infer<typeof BulkItemsQuery>;
