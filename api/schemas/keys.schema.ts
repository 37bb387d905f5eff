import { z } from 'zod';
import { clientIdSchema } from './scans.schema';

export const ListKeysQuery = z.object({
  clientId: clientIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** The `next` value of the previous page (opaque). */
  cursor: z.string().max(100).optional(),
});
export type ListKeysQuery = z.infer<typeof ListKeysQuery>;
export const KeyIdParams = z.object({ id: z.uuid() });
