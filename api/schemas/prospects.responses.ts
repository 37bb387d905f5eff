import { z } from 'zod';
import { nextCursor, nullableTimestamp, scanStatus, ScanSubmitted, timestamp } from './common.responses';

export const Prospect = z
  .looseObject({
    id: z.uuid(),
    clientId: z.string(),
    url: z.string(),
    externalId: z.string().nullable().meta({ description: "The client's own id for the prospect (e.g. a CRM id), unique per client." }),
    name: z.string().nullable(),
    notes: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    latestScan: z
      .looseObject({ scanId: z.uuid(), status: scanStatus, score: z.number().nullable(), finishedAt: nullableTimestamp })
      .nullable(),
  })
  .meta({ id: 'Prospect' });

export const ProspectList = z.looseObject({ prospects: z.array(Prospect), next: nextCursor }).meta({ id: 'ProspectList' });

const rowRef = z.union([z.looseObject({ line: z.number().int() }), z.looseObject({ index: z.number().int() })]);

export const ProspectImportResult = z
  .looseObject({
    created: z.number().int(),
    updated: z.number().int(),
    skipped: z.array(
      z.intersection(rowRef, z.looseObject({ url: z.string().optional(), reason: z.string(), prospectId: z.uuid().optional() })),
    ),
    ignoredColumns: z.array(z.string()).optional(),
  })
  .meta({ id: 'ProspectImportResult' });

export const ProspectScanSubmitted = ScanSubmitted.extend({ prospectId: z.uuid() }).meta({ id: 'ProspectScanSubmitted' });

export const ProspectHistory = z
  .looseObject({
    prospectId: z.uuid(),
    url: z.string(),
    latestScore: z.number().nullable(),
    delta: z.number().optional(),
    trend: z.array(z.looseObject({ scanId: z.uuid(), finishedAt: timestamp, score: z.number() })),
    scans: z.array(
      z.looseObject({
        scanId: z.uuid(),
        url: z.string(),
        status: scanStatus,
        score: z.number().nullable(),
        inconclusive: z.boolean(),
        inconclusiveReason: z.string().optional(),
        failureReason: z.string().optional(),
        createdAt: timestamp,
        finishedAt: nullableTimestamp,
      }),
    ),
    next: nextCursor,
  })
  .meta({ id: 'ProspectHistory' });
