import { z } from 'zod';

export const ReliabilityQuery = z.object({
  days: z.coerce.number().int('must be a whole number of days').min(1).max(90, 'must be at most 90').default(7),
});
export type ReliabilityQuery = z.infer<typeof ReliabilityQuery>;

export const AlertsQuery = z.object({
  status: z.enum(['firing', 'resolved']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `next` value of the previous page (opaque). */
  cursor: z.string().max(100).optional(),
});
export type AlertsQuery = z.infer<typeof AlertsQuery>;
