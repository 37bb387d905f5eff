import { z } from 'zod';

// Building blocks of the response schemas (api/schemas/*.responses.ts). Responses are open objects (extra members
// allowed): clients must ignore members they do not know, so adding one is not a breaking change.

/** A Date as JSON.stringify writes it. */
export const timestamp = z.iso.datetime();
export const nullableTimestamp = timestamp.nullable();

export const scanStatus = z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']);
export const queueName = z.enum(['high', 'low']);

/** The opaque cursor of the next page, null on the last. */
export const nextCursor = z.string().nullable().meta({ description: 'Cursor of the next page; null on the last page.' });

/** 202 answers to a submission: the scan accepted and its workflow. */
export const ScanSubmitted = z
  .looseObject({ scanId: z.uuid(), workflowId: z.string(), status: z.literal('queued') })
  .meta({ id: 'ScanSubmitted' });
