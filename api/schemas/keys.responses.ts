import { z } from 'zod';
import { nextCursor, nullableTimestamp, timestamp } from './common.responses';

export const CreatedApiKey = z
  .looseObject({
    id: z.uuid(),
    clientId: z.string(),
    name: z.string().nullable(),
    key: z.string().meta({ description: 'The secret: shown once, stored only as a SHA-256 hash.' }),
    createdAt: timestamp,
  })
  .meta({ id: 'CreatedApiKey' });

export const ApiKeyList = z
  .looseObject({
    keys: z.array(
      z.looseObject({
        id: z.uuid(),
        clientId: z.string(),
        name: z.string().nullable(),
        keyPrefix: z.string(),
        createdAt: timestamp,
        revokedAt: nullableTimestamp,
      }),
    ),
    next: nextCursor,
  })
  .meta({ id: 'ApiKeyList' });
