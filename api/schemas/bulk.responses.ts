import { z } from 'zod';
import { nextCursor, nullableTimestamp, queueName, scanStatus, timestamp } from './common.responses';

const RejectedItem = z.looseObject({ index: z.number().int(), reason: z.string() });

export const BulkSubmitted = z
  .looseObject({
    bulkId: z.uuid(),
    workflowId: z.string(),
    total: z.number().int(),
    accepted: z.number().int(),
    rejected: z.array(RejectedItem),
    status: z.literal('queued'),
  })
  .meta({ id: 'BulkSubmitted' });

export const BulkProgress = z
  .looseObject({
    bulkId: z.uuid(),
    workflowId: z.string(),
    status: z.string(),
    submittedBy: z.string(),
    queue: queueName,
    priority: z.number().int(),
    total: z.number().int(),
    submitted: z.number().int(),
    queued: z.number().int(),
    running: z.number().int(),
    completed: z.number().int(),
    failed: z.number().int(),
    cancelled: z.number().int(),
    done: z.boolean(),
    rejected: z.array(RejectedItem),
    createdAt: timestamp,
    finishedAt: nullableTimestamp,
    items: z.array(
      z.looseObject({
        index: z.number().int(),
        scanId: z.uuid(),
        url: z.string(),
        clientId: z.string(),
        status: scanStatus,
        score: z.number().nullable(),
        failureReason: z.string().optional(),
      }),
    ),
    page: z.looseObject({ offset: z.number().int(), limit: z.number().int() }),
    next: nextCursor,
  })
  .meta({ id: 'BulkProgress' });

export const BulkCancelling = z.looseObject({ bulkId: z.uuid(), status: z.literal('cancelling') }).meta({ id: 'BulkCancelling' });
