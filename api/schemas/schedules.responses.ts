import { z } from 'zod';
import { nextCursor, nullableTimestamp, scanStatus, timestamp } from './common.responses';

const RecentRun = z.looseObject({ scheduledAt: timestamp.optional(), startedAt: timestamp.optional(), workflowId: z.string().optional() });

export const Schedule = z
  .looseObject({
    scheduleId: z.string(),
    kind: z.enum(['scan', 'audit']),
    name: z.string().optional(),
    clientId: z.string().optional(),
    url: z.string().optional(),
    prospectId: z.uuid().optional(),
    cron: z.string().optional(),
    intervalMinutes: z.number().optional(),
    timezone: z.string(),
    overlap: z.literal('skip'),
    paused: z.boolean(),
    note: z.string().optional(),
    nextRuns: z.array(timestamp),
    recentRuns: z.array(RecentRun),
    // A scan schedule's runs…
    runningScans: z.number().int().optional(),
    recentScans: z
      .array(
        z.looseObject({
          scanId: z.uuid(),
          status: scanStatus,
          failureReason: z.string().nullable(),
          failureMessage: z.string().nullable(),
          createdAt: timestamp,
          finishedAt: nullableTimestamp,
        }),
      )
      .optional(),
    // …or an audit schedule's.
    audit: z.looseObject({}).optional(),
    runningAudits: z.number().int().optional(),
    recentAudits: z
      .array(
        z.looseObject({
          auditId: z.uuid(),
          status: z.string(),
          failureReason: z.string().nullable(),
          failureMessage: z.string().nullable(),
          createdAt: timestamp,
          startedAt: nullableTimestamp,
          finishedAt: nullableTimestamp,
        }),
      )
      .optional(),
    createdAt: timestamp.optional(),
  })
  .meta({ id: 'Schedule' });

/** A schedule as GET /api/schedules lists it: the one-schedule view has the rest. */
export const ScheduleSummary = Schedule.pick({
  scheduleId: true,
  kind: true,
  name: true,
  clientId: true,
  url: true,
  paused: true,
  nextRuns: true,
}).meta({ id: 'ScheduleSummary' });

export const ScheduleList = z.looseObject({ schedules: z.array(ScheduleSummary), next: nextCursor }).meta({ id: 'ScheduleList' });

export const ScheduleTriggered = z
  .looseObject({ scheduleId: z.string(), status: z.literal('triggered') })
  .meta({ id: 'ScheduleTriggered' });
