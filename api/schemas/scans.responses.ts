import { z } from 'zod';
import { nextCursor, nullableTimestamp, queueName, scanStatus, timestamp } from './common.responses';

const impact = z.enum(['critical', 'serious', 'moderate', 'minor']).nullable();

/** An axe target: one CSS selector, or the selectors through frames and shadow roots (nested for shadow DOM). */
const axeTarget = z.union([z.string(), z.array(z.union([z.string(), z.array(z.string())]))]);

const RuleResult = z.looseObject({
  ruleId: z.string(),
  impact,
  wcag: z.array(z.string()),
  help: z.string(),
  helpUrl: z.string(),
  nodeCount: z.number().int(),
  targets: z.array(axeTarget),
});

export const ScanResult = z
  .looseObject({
    scanId: z.uuid(),
    workflowId: z.string(),
    url: z.string(),
    clientId: z.string(),
    prospectId: z.uuid().nullable(),
    retryOf: z.uuid().nullable(),
    queue: queueName,
    priority: z.number().int(),
    status: scanStatus,
    attempts: z.number().int(),
    score: z.number().nullable(),
    inconclusive: z.boolean(),
    inconclusiveReason: z.string().optional(),
    counts: z.looseObject({
      critical: z.number().int(),
      serious: z.number().int(),
      moderate: z.number().int(),
      minor: z.number().int(),
      violations: z.number().int(),
      needsReview: z.number().int(),
    }),
    violations: z.array(RuleResult),
    needsReview: z.array(RuleResult),
    failedAttempts: z.array(
      z.looseObject({ attempt: z.number().int(), category: z.string(), message: z.string().nullable(), at: timestamp }),
    ),
    result: z
      .looseObject({
        axeVersion: z.string().nullable(),
        finalUrl: z.string().nullable(),
        httpStatus: z.number().int().nullable(),
        pageTitle: z.string().nullable(),
      })
      .optional(),
    options: z.unknown(),
    createdAt: timestamp,
    startedAt: nullableTimestamp,
    finishedAt: nullableTimestamp,
    durationMs: z.number().int().nullable(),
    failureReason: z.string().optional(),
    failureMessage: z.string().optional(),
    temporalUiUrl: z.string().nullable().optional(),
  })
  .meta({ id: 'ScanResult' });

export const ScanSummary = z
  .looseObject({
    scanId: z.uuid(),
    url: z.string(),
    clientId: z.string(),
    status: scanStatus,
    score: z.number().nullable(),
    inconclusive: z.boolean(),
    violationCount: z.number().int().nullable(),
    failureReason: z.string().nullable(),
    createdAt: timestamp,
    finishedAt: nullableTimestamp,
  })
  .meta({ id: 'ScanSummary' });

export const ScanList = z.looseObject({ scans: z.array(ScanSummary), next: nextCursor }).meta({ id: 'ScanList' });

export const ScanCancelling = z.looseObject({ scanId: z.uuid(), status: z.literal('cancelling') }).meta({ id: 'ScanCancelling' });
