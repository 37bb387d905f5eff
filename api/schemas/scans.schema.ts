import { z } from 'zod';

/**
 * How the operator (the admin key) is recorded where a client id could otherwise go (bulks.submitted_by): "@" is a
 * character no client id may contain, so no client can ever match it, whatever ids were allowed before.
 */
export const OPERATOR_IDENTITY = '@operator';

// Operator identities, in any case, and their namespaces ("admin:…"): no client id may be one of them.
const RESERVED_CLIENT_IDS = /^(admin|operator|system|root)(:.*)?$/i;

/** True for client ids reserved for the operator (`admin`, `operator`, `system`, `root`, and `<one of them>:…`). */
export function isReservedClientId(id: string): boolean {
  return RESERVED_CLIENT_IDS.test(id);
}

export const clientIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, 'may contain letters, digits, "_", ".", ":" and "-"')
  .refine((id) => !isReservedClientId(id), 'is reserved for the operator (admin, operator, system, root and their "name:" namespaces)');

/** The fields every submission of scans shares (POST /api/scans, POST /api/audits): one home for their rules. */
export const scanRequestFields = {
  url: z.string({ error: 'is required' }).min(1, 'is required'),
  // Optional for client keys (their own client is implied), required for the admin key.
  clientId: clientIdSchema.optional(),
  prospectId: z.string().min(1).max(100).optional(),
  priority: z.number().int().min(1).max(10).default(5),
  queue: z.enum(['high', 'low']).default('low'),
  /** Per-attempt budget in ms; capped at MAX_SCAN_TIME. */
  timeout: z.number().int().min(1_000).optional(),
  maxRetries: z.number().int().min(0).max(5).optional(),
  wcagTags: z
    .array(z.string().regex(/^[a-z0-9-]+$/i, 'must be an axe-core tag such as wcag2aa'))
    .min(1)
    .max(20)
    .optional(),
};

export const CreateScanBody = z.object(scanRequestFields).strict();
export type CreateScanBody = z.infer<typeof CreateScanBody>;

export const ScanIdParams = z.object({ scanId: z.string() });

export const ListScansQuery = z.object({
  clientId: clientIdSchema.optional(),
  status: z.enum(['queued', 'running', 'completed', 'failed', 'cancelled']).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** The `next` value of the previous page (opaque; a plain ISO date-time also works). */
  cursor: z.string().max(100).optional(),
  /** The older name of `cursor`, still accepted. */
  before: z.string().max(100).optional(),
});
export type ListScansQuery = z.infer<typeof ListScansQuery>;

export const CreateKeyBody = z.object({ clientId: clientIdSchema, name: z.string().max(200).optional() }).strict();
export type CreateKeyBody = z.infer<typeof CreateKeyBody>;
