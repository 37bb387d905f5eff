// Data retention: pruneResultsWorkflow on the real worker and database strips the bulky parts of old scans in
// batches and keeps what trends and statistics need; the Schedule is created once and updated, never doubled.
// No Chromium: the scans are inserted, backdated, as a worker would have stored them.
import { randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { PruneInput, PruneResult } from '../../activities/retention.activity';
import { ensureRetentionSchedule } from '../../monitoring/retention-schedule';
import { adminAuth } from '../support/scan-client';
import { useStack } from '../support/stack';

const DAY = 86_400_000;
const client = `ret-${randomBytes(3).toString('hex')}`;
// Far older than anything another test file creates, so this file's prune touches only its own rows.
const RETENTION_DAYS = 3_000;
const stack = useStack();
let prospectId: string;

const bigRaw = {
  violations: [
    { id: 'image-alt', nodes: Array.from({ length: 200 }, (_, i) => ({ html: `<img src="/${i}.png">`, target: [`img:nth-child(${i})`] })) },
  ],
};

async function insertScan(ageDays: number, score: number): Promise<string> {
  const id = randomUUID();
  const finishedAt = new Date(Date.now() - ageDays * DAY);
  await stack().prisma.scan.create({
    data: {
      id,
      workflowId: `scan-${id}`,
      url: 'https://shop.example/',
      targetHost: 'shop.example',
      clientId: client,
      prospectId,
      queue: 'low',
      priority: 5,
      status: 'completed',
      stage: 'done',
      attempts: 1,
      score,
      violationCount: 1,
      criticalCount: 1,
      seriousCount: 0,
      moderateCount: 0,
      minorCount: 0,
      incompleteCount: 0,
      createdAt: new Date(finishedAt.getTime() - 60_000),
      startedAt: new Date(finishedAt.getTime() - 30_000),
      finishedAt,
      durationMs: 30_000,
      result: { create: { axeVersion: '4.14.1', finalUrl: 'https://shop.example/', httpStatus: 200, pageTitle: 'Shop', raw: bigRaw } },
      violations: {
        create: [
          {
            kind: 'violation',
            ruleId: 'image-alt',
            impact: 'critical',
            wcag: ['1.1.1'],
            tags: ['wcag2a'],
            help: 'Images must have alt text',
            helpUrl: 'https://dequeuniversity.com/rules/axe/4.14/image-alt',
            nodeCount: 200,
            nodes: bigRaw.violations[0].nodes,
          },
        ],
      },
      screenshot: { create: { image: Buffer.alloc(50_000, 7), width: 1280, height: 800 } },
    },
  });
  return id;
}

async function prune(input: Partial<PruneInput> = {}): Promise<PruneResult> {
  return stack().client.workflow.execute('pruneResultsWorkflow', {
    taskQueue: stack().queues.low,
    workflowId: `prune-test-${randomUUID()}`,
    args: [{ retentionDays: RETENTION_DAYS, batchSize: 2, maxBatches: 100, ...input }],
  });
}

beforeAll(async () => {
  prospectId = randomUUID();
  await stack().prisma.prospect.create({ data: { id: prospectId, clientId: client, url: 'https://shop.example/' } });
});

it('prunes the raw results of old scans in batches and keeps their summaries, trend and rule list', async () => {
  const old = [
    await insertScan(RETENTION_DAYS + 30, 60),
    await insertScan(RETENTION_DAYS + 20, 70),
    await insertScan(RETENTION_DAYS + 10, 80),
  ];
  const recent = await insertScan(RETENTION_DAYS - 10, 90);

  // One batch of 2 only: the run says more remain, and the oldest two are the ones pruned.
  const first = await prune({ maxBatches: 1 });
  expect(first).toMatchObject({ scans: 2, batches: 1, more: true });
  expect((await stack().prisma.scan.findUniqueOrThrow({ where: { id: old[2] } })).rawPrunedAt).toBeNull();

  const second = await prune();
  expect(second).toMatchObject({ scans: 1, more: false });

  for (const id of old) {
    const scan = await stack().prisma.scan.findUniqueOrThrow({
      where: { id },
      include: { result: true, violations: true, screenshot: true },
    });
    expect(scan.rawPrunedAt).not.toBeNull();
    expect(scan.result?.raw).toEqual({ pruned: true });
    expect(scan.result).toMatchObject({ finalUrl: 'https://shop.example/', httpStatus: 200, pageTitle: 'Shop', axeVersion: '4.14.1' });
    expect(scan.violations).toEqual([expect.objectContaining({ ruleId: 'image-alt', impact: 'critical', nodeCount: 200, nodes: [] })]);
    expect(scan.screenshot).toBeNull();
    expect(scan).toMatchObject({ status: 'completed', criticalCount: 1, violationCount: 1 });
  }
  const kept = await stack().prisma.scan.findUniqueOrThrow({
    where: { id: recent },
    include: { result: true, violations: true, screenshot: true },
  });
  expect(kept.rawPrunedAt).toBeNull();
  expect(kept.result?.raw).toEqual(bigRaw);
  expect(kept.violations[0].nodes).toHaveLength(200);
  expect(kept.screenshot).not.toBeNull();

  // The API still serves a pruned scan (its rules without element targets) and the prospect's full score trend.
  const view = await request(stack().app).get(`/api/scans/${old[0]}`).set(adminAuth).expect(200);
  expect(view.body).toMatchObject({
    status: 'completed',
    score: 60,
    violations: [expect.objectContaining({ ruleId: 'image-alt', nodeCount: 200, targets: [] })],
  });
  const trend = await request(stack().app).get(`/api/prospects/${prospectId}/scans`).set(adminAuth).expect(200);
  expect(trend.body.trend.map((t: { score: number }) => t.score)).toEqual([60, 70, 80, 90]);

  // Nothing left to prune: a third run is a no-op.
  expect(await prune()).toMatchObject({ scans: 0, more: false });
});

it('creates the daily schedule once, with overlap SKIP, and updates its retention in place', async () => {
  const prefix = `ret${randomBytes(3).toString('hex')}`;
  try {
    expect(await ensureRetentionSchedule(stack().client, { prefix, retentionDays: 90 })).toEqual({
      scheduleId: `retention-prune-${prefix}`,
      created: true,
    });
    expect(await ensureRetentionSchedule(stack().client, { prefix, retentionDays: 90 })).toMatchObject({ created: false });
    await ensureRetentionSchedule(stack().client, { prefix, retentionDays: 30 });
    const d = await stack().client.schedule.getHandle(`retention-prune-${prefix}`).describe();
    expect(d.policies.overlap).toBe(ScheduleOverlapPolicy.SKIP);
    expect(d.spec.calendars).toEqual([
      expect.objectContaining({ hour: [{ start: 3, end: 3, step: 1 }], minute: [{ start: 17, end: 17, step: 1 }] }),
    ]);
    expect(d.action).toMatchObject({ type: 'startWorkflow', workflowType: 'pruneResultsWorkflow', taskQueue: `${prefix}-scans-low` });
    expect((d.action as { args: PruneInput[] }).args[0]).toMatchObject({ retentionDays: 30 });
  } finally {
    await stack()
      .client.schedule.getHandle(`retention-prune-${prefix}`)
      .delete()
      .catch(() => undefined);
  }
});
