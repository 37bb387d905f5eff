import { z } from 'zod';
import { clientIdSchema } from './scans.schema';

export const RateLimitParams = z.object({ clientId: clientIdSchema });

/** PUT /api/monitoring/rate-limit/:clientId — a number sets the client's scans per hour, null restores the default. */
export const SetRateLimitBody = z.object({ scansPerHour: z.number().int().min(0).max(1_000_000).nullable() }).strict();
export type SetRateLimitBody = z.infer<typeof SetRateLimitBody>;
