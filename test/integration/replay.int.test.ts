// Determinism guard: recorded histories of scan and bulk workflows must replay against the current workflow
// code. A change that reorders or renames workflow commands fails here before it breaks in-flight workflows.
// Re-record (after an intentional, versioned change) with: RECORD_HISTORIES=1 npx jest test/integration/replay
// (site audits: RECORD_AUDIT_HISTORIES=1).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { bulkWorkflowId, scanWorkflowId } from '../../core/contracts';
import { startFixtureServer } from '../support/fixture-server';
import { hostileRoutes } from '../support/hostile-routes';
import { adminAuth, scanToEnd, submitScan, waitForTerminal } from '../support/scan-client';
import { closedDescription, eventually, startStack, workflowBundle } from '../support/stack';
import { startFixtureSite } from '../support/fixture-site';
import { auditWorkflowId } from '../../core/audit';
import { randomUUID } from 'node:crypto';

const DIR = join(__dirname, '..', 'fixtures', 'histories');

async function recordHistories(): Promise<void> {
  const site = await startFixtureServer({
    ...hostileRoutes({ blockedUrl: 'http://10.0.0.1/' }),
    '/flaky': (() => {
      let calls = 0;
      return (_req, res) => {
        calls++;
        if (calls === 1) return void res.writeHead(503).end('busy');
        res
          .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
          .end(
            '<!doctype html><html lang="en"><head><title>Flaky</title></head><body><main><h1>Flaky</h1><p>Second time lucky.</p></main></body></html>',
          );
      };
    })(),
  });
  const stack = await startStack({ bulkTuning: { window: 2, batchSize: 2, itemsPerRun: 3 } });
  try {
    // The CLI's JSON is the format historyFromJSON reads (and what an operator would export from production).
    const save = async (name: string, workflowId: string, runId?: string) => {
      const cli = process.env.TEMPORAL_CLI_PATH ?? join(__dirname, '..', '..', '.tools', 'venv', 'bin', 'temporal');
      const args = ['workflow', 'show', '--address', stack.env.TEMPORAL_ADDRESS, '--workflow-id', workflowId, '--output', 'json'];
      if (runId) args.push('--run-id', runId);
      writeFileSync(join(DIR, `${name}.json`), execFileSync(cli, args, { encoding: 'utf8' }));
    };
    const completed = await scanToEnd(stack.app, { url: site.url('/violations.html') });
    await save('scan-completed', completed.workflowId);
    const retried = await scanToEnd(stack.app, { url: site.url('/flaky'), maxRetries: 2 });
    expect(retried.attempts).toBe(2);
    await save('scan-retried-then-completed', retried.workflowId);
    const failed = await scanToEnd(stack.app, { url: site.url('/redirect-loop'), maxRetries: 1 });
    expect(failed.status).toBe('failed');
    await save('scan-failed', failed.workflowId);
    const cancelledId = await submitScan(stack.app, { url: site.url('/never-finishes'), timeout: 60_000 });
    await eventually(async () =>
      (await stack.prisma.scan.findUnique({ where: { id: cancelledId } }))?.stage === 'scanning' ? true : undefined,
    );
    await request(stack.app).post(`/api/scans/${cancelledId}/cancel`).set(adminAuth).expect(202);
    await waitForTerminal(stack.app, cancelledId);
    await save('scan-cancelled', scanWorkflowId(cancelledId));

    const bulk = await request(stack.app)
      .post('/api/scans/bulk')
      .set(adminAuth)
      .send({ clientId: 'replay', scans: Array.from({ length: 5 }, (_, i) => ({ url: site.url(`/clean.html?i=${i}`) })) })
      .expect(202);
    const handle = stack.client.workflow.getHandle(bulkWorkflowId(bulk.body.bulkId));
    await handle.result();
    // The first run ends in continueAsNew, the last one completes: keep both.
    const runs: string[] = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId="${handle.workflowId}"` })) runs.push(wf.runId);
    const firstRunId = (await handle.describe()).runId === runs[0] ? runs[runs.length - 1] : runs[0];
    await save('bulk-continued-as-new', handle.workflowId, firstRunId);
    await save('bulk-completed', handle.workflowId);
  } finally {
    await stack.stop();
    await site.close();
  }
}

/**
 * Site audits (RECORD_AUDIT_HISTORIES=1): a small audit that continues as new every 2 pages (the workflow is started
 * here, as the API would, to set pagesPerRun), and a cancelled one.
 */
async function recordAuditHistories(): Promise<void> {
  const site = await startFixtureSite({ pages: 20, delayMs: 0 });
  const stack = await startStack();
  const cli = process.env.TEMPORAL_CLI_PATH ?? join(__dirname, '..', '..', '.tools', 'venv', 'bin', 'temporal');
  const save = (name: string, workflowId: string, runId?: string) => {
    const args = ['workflow', 'show', '--address', stack.env.TEMPORAL_ADDRESS, '--workflow-id', workflowId, '--output', 'json'];
    if (runId) args.push('--run-id', runId);
    writeFileSync(join(DIR, `${name}.json`), execFileSync(cli, args, { encoding: 'utf8' }));
  };
  try {
    const submitted = await request(stack.app)
      .post('/api/audits')
      .set(adminAuth)
      .send({ clientId: 'replay', url: `${site.origin}/`, maxPages: 5, sitemap: 'off', queue: 'low' })
      .expect(202);
    // The API does not expose pagesPerRun: a copy of the submitted audit's row is started here with pagesPerRun 2.
    await stack.client.workflow.getHandle(submitted.body.workflowId).result();
    const auditId = randomUUID();
    const row = await stack.prisma.audit.findUniqueOrThrow({ where: { id: submitted.body.auditId } });
    await stack.prisma.audit.create({
      data: {
        ...row,
        id: auditId,
        workflowId: auditWorkflowId(auditId),
        status: 'queued',
        discovery: {},
        pagesStarted: 0,
        options: row.options as object,
        startedAt: null,
        finishedAt: null,
        createdAt: new Date(),
      },
    });
    const handle = await stack.client.workflow.start('siteAuditWorkflow', {
      taskQueue: stack.queues.low,
      workflowId: auditWorkflowId(auditId),
      args: [
        {
          auditId,
          clientId: 'replay',
          queue: 'low',
          priority: 5,
          taskQueues: stack.queues,
          retryInitialIntervalMs: 200,
          maxScanTimeMs: 120_000,
          quotaExempt: true,
          pagesPerRun: 2,
        },
      ],
    });
    await handle.result();
    const runs: string[] = [];
    for await (const wf of stack.client.workflow.list({ query: `WorkflowId="${handle.workflowId}"` })) runs.push(wf.runId);
    const lastRunId = (await handle.describe()).runId;
    const firstRunId = runs.find((r) => r !== lastRunId);
    if (!firstRunId) throw new Error('the audit did not continue as new');
    await save('audit-continued-as-new', handle.workflowId, firstRunId);
    await save('audit-completed', handle.workflowId);

    const slow = await startFixtureSite({ pages: 20, delayMs: 3_000 });
    try {
      const cancelled = await request(stack.app)
        .post('/api/audits')
        .set(adminAuth)
        .send({ clientId: 'replay', url: `${slow.origin}/`, maxPages: 10, sitemap: 'off' })
        .expect(202);
      await eventually(async () =>
        (await stack.prisma.scan.count({ where: { auditId: cancelled.body.auditId } })) > 0 ? true : undefined,
      );
      await request(stack.app).post(`/api/audits/${cancelled.body.auditId}/cancel`).set(adminAuth).expect(202);
      await eventually(async () =>
        (await stack.prisma.audit.findUnique({ where: { id: cancelled.body.auditId } }))?.status === 'cancelled' ? true : undefined,
      );
      await closedDescription(stack.client.workflow.getHandle(cancelled.body.workflowId));
      await save('audit-cancelled', cancelled.body.workflowId);
    } finally {
      await slow.close();
    }
  } finally {
    await stack.stop();
    await site.close();
  }
}

describe('workflow replay', () => {
  beforeAll(async () => {
    if (process.env.RECORD_HISTORIES === '1') await recordHistories();
    if (process.env.RECORD_AUDIT_HISTORIES === '1') await recordAuditHistories();
  }, 300_000);

  // scheduled-run-pre-quota: a client key's scheduled run recorded with the code before the `scheduled-scan-quota`
  // patch (no marker); RECORD_HISTORIES does not re-record it, it pins that older histories still replay. The same
  // for scan-*.remote-records: scans recorded before the `scan-records-local-activities` patch.
  const EXPECTED = [
    'audit-cancelled',
    'audit-completed',
    'audit-continued-as-new',
    'bulk-completed',
    'bulk-continued-as-new',
    'scan-cancelled',
    'scan-cancelled.remote-records',
    'scan-completed',
    'scan-completed.remote-records',
    'scan-failed',
    'scan-failed.remote-records',
    'scan-retried-then-completed',
    'scan-retried-then-completed.remote-records',
    'scheduled-run-pre-quota',
  ];

  it('replays every recorded scan, bulk and site audit history against the current workflow code', async () => {
    const files = readdirSync(DIR)
      .filter((f) => f.endsWith('.json'))
      .sort();
    expect(files).toEqual(EXPECTED.map((n) => `${n}.json`));
    const bundle = await workflowBundle();
    for (const file of files) {
      const history = historyFromJSON(JSON.parse(readFileSync(join(DIR, file), 'utf8')));
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, file)).resolves.toBeUndefined();
    }
  });
});
