import { z } from 'zod';

const probe = z.enum(['ok', 'down']);

export const Liveness = z.looseObject({ status: z.literal('ok') }).meta({ id: 'Liveness' });

export const Readiness = z
  .looseObject({ status: z.enum(['ready', 'not_ready']), checks: z.looseObject({ database: probe, temporal: probe }) })
  .meta({ id: 'Readiness' });
