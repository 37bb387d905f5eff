import { z } from 'zod';
import { auditScheduleIdPrefix } from '../../core/audit';
import { scanScheduleIdPrefix } from '../../core/contracts';
import { AuditOptionsBody } from './audits.schema';
import { clientIdSchema } from './scans.schema';

export const CreateScheduleBody = z
  .object({
    name: z.string().min(1).max(200).optional(),
    url: z.string().min(1).optional(),
    prospectId: z.uuid().optional(),
    clientId: clientIdSchema.optional(),
    /**
     * Standard 5-field cron ("0 6 1 * *" = 06:00 on the 1st of every month) or @hourly/@daily/@weekly/@monthly/@yearly.
     * Temporal also reads seconds and year fields and "@every": not accepted here (use intervalMinutes). How often it
     * really runs is checked on the created schedule's next run times (SCHEDULE_MIN_INTERVAL_MINUTES).
     */
    cron: z
      .string()
      .trim()
      .max(100)
      .refine((c) => /^@(yearly|annually|monthly|weekly|daily|midnight|hourly)$/.test(c) || c.split(/\s+/).length === 5, {
        message:
          'must be a standard 5-field cron expression (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly; seconds fields and @every are not accepted (use intervalMinutes)',
      })
      .optional(),
    /** Alternatively every N minutes (at least 5). */
    intervalMinutes: z
      .number()
      .int()
      .min(5)
      .max(60 * 24 * 366)
      .optional(),
    timezone: z.string().min(1).max(64).default('UTC'),
    queue: z.enum(['high', 'low']).default('low'),
    priority: z.number().int().min(1).max(10).default(5),
    timeout: z.number().int().min(1_000).optional(),
    maxRetries: z.number().int().min(0).max(5).optional(),
    paused: z.boolean().default(false),
    /** Present: each run is a site audit of the schedule's url (or prospect) with these options, not a single scan. */
    audit: AuditOptionsBody.optional(),
  })
  .strict()
  .refine((b) => (b.url ? 1 : 0) + (b.prospectId ? 1 : 0) === 1, { message: 'give exactly one of url or prospectId' })
  .refine((b) => (b.cron ? 1 : 0) + (b.intervalMinutes ? 1 : 0) === 1, { message: 'give exactly one of cron or intervalMinutes' })
  .refine((b) => isTimeZone(b.timezone), { message: 'timezone: not an IANA time zone', path: ['timezone'] });
export type CreateScheduleBody = z.infer<typeof CreateScheduleBody>;

const scheduleIdPattern = new RegExp(`^(${scanScheduleIdPrefix}|${auditScheduleIdPrefix})[0-9a-f-]{36}$`);
export const ScheduleIdParams = z.object({ scheduleId: z.string().regex(scheduleIdPattern, 'unknown schedule') });

export const ListSchedulesQuery = z.object({
  clientId: clientIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  /** The `next` value of the previous page (opaque: Temporal's own page token). */
  cursor: z.string().max(4_000).optional(),
});
export type ListSchedulesQuery = z.infer<typeof ListSchedulesQuery>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
