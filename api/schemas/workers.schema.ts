import { z } from 'zod';

export const WorkerCommandParams = z.object({
  identity: z.string().regex(/^[A-Za-z0-9._-]+:\d+$/, 'must be hostname:pid'),
  command: z.enum(['restart-browser', 'drain']),
});
