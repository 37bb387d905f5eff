import { z } from 'zod';
import { clientIdSchema, CreateScanBody } from './scans.schema';

export const MAX_NAME_LENGTH = 200;
export const MAX_NOTES_LENGTH = 2000;
/** Rows in one import; a longer list is refused as a whole rather than imported in part. */
export const MAX_IMPORT_ROWS = 10_000;

const url = z.string({ error: 'is required' }).trim().min(1, 'is required');
const name = z.string().trim().max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`);
const notes = z.string().max(MAX_NOTES_LENGTH, `must be at most ${MAX_NOTES_LENGTH} characters`);

export const MAX_EXTERNAL_ID_LENGTH = 100;
/**
 * The client's own id for a prospect (a CRM id: `prospect-123`, `0015g00000XyZab`, `48213`). Case-sensitive (some CRM
 * ids are). No whitespace and no leading `#` or `-`, so one fits on a line of a bulk file (`#` starts a comment) and
 * never reads as a CLI flag; no `/`, so it fits in a path segment.
 */
export const externalIdSchema = z
  .string()
  .trim()
  .regex(
    new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:@+-]{0,${MAX_EXTERNAL_ID_LENGTH - 1}}$`),
    `must be 1-${MAX_EXTERNAL_ID_LENGTH} letters, digits or . _ : @ + -, starting with a letter or digit`,
  );

export const CreateProspectBody = z
  .object({
    url,
    // Optional for client keys (their own client is implied), required for the admin key.
    clientId: clientIdSchema.optional(),
    name: name.optional(),
    notes: notes.optional(),
    externalId: externalIdSchema.optional(),
  })
  .strict();
export type CreateProspectBody = z.infer<typeof CreateProspectBody>;

/** `null` clears name, notes or externalId; the client of a prospect never changes. */
export const UpdateProspectBody = z
  .object({
    url: url.optional(),
    name: name.nullable().optional(),
    notes: notes.nullable().optional(),
    externalId: externalIdSchema.nullable().optional(),
  })
  .strict()
  .refine((b) => b.url !== undefined || b.name !== undefined || b.notes !== undefined || b.externalId !== undefined, {
    message: 'give at least one of url, name, notes, externalId',
  });
export type UpdateProspectBody = z.infer<typeof UpdateProspectBody>;

export const ProspectIdParams = z.object({ id: z.string() });

export const ListProspectsQuery = z.object({
  clientId: clientIdSchema.optional(),
  /** Case-insensitive substring of url, name or notes. */
  q: z.string().trim().min(1).max(200).optional(),
  /** Exact (case-sensitive) external id: at most one prospect per client. */
  externalId: externalIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `next` value of the previous page (opaque; a plain ISO date-time also works). */
  cursor: z.string().max(100).optional(),
  /** The older name of `cursor`, still accepted. */
  before: z.string().max(100).optional(),
});
export type ListProspectsQuery = z.infer<typeof ListProspectsQuery>;

/** One import row as given; each is validated on its own so a bad row never aborts the import. */
export const ImportRow = z
  .object({
    url,
    name: name.optional(),
    notes: notes.optional(),
    externalId: externalIdSchema.optional(),
    clientId: clientIdSchema.optional(),
  })
  .strict();
export type ImportRow = z.infer<typeof ImportRow>;

export const ImportJsonBody = z
  .object({
    /** Default for rows without their own clientId (admin key). */
    clientId: clientIdSchema.optional(),
    prospects: z
      .array(z.unknown())
      .min(1, 'must list at least one prospect')
      .max(MAX_IMPORT_ROWS, `at most ${MAX_IMPORT_ROWS} prospects per import`),
  })
  .strict();
export type ImportJsonBody = z.infer<typeof ImportJsonBody>;

export const ImportQuery = z.object({
  /** Default for rows without their own clientId (admin key; the CSV form has no other place for it). */
  clientId: clientIdSchema.optional(),
  /** What to do with a (clientId, url) that already exists: leave it and report it, or set its name and notes. */
  onDuplicate: z.enum(['skip', 'update']).default('skip'),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

/** POST /api/prospects/:id/scans: the scan options of POST /api/scans; url and client come from the prospect. */
export const ScanProspectBody = CreateScanBody.pick({
  priority: true,
  queue: true,
  timeout: true,
  maxRetries: true,
  wcagTags: true,
}).strict();
export type ScanProspectBody = z.infer<typeof ScanProspectBody>;

export const ProspectScansQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20),
  /** The `next` value of the previous page of `scans` (opaque); the trend is always the newest. */
  cursor: z.string().max(100).optional(),
});
export type ProspectScansQuery = z.infer<typeof ProspectScansQuery>;
