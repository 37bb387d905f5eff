import { z } from 'zod';
import { clientIdSchema } from './scans.schema';

export const ListKeysQuery = z.object({ clientId: clientIdSchema.optional() });
export const KeyIdParams = z.object({ id: z.uuid() });
