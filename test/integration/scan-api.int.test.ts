import request from 'supertest';
import { scanWorkflowId, SearchAttributes } from '../../core/contracts';
import { useFixtureServer } from '../support/fixture-server';
import { adminAuth } from '../support/scan-client';
import { closedDescription, eventually, useStack } from '../support/stack';

const TERMINAL = ['completed', 'failed', 'cancelled'];

describe('scan API end to end (API → Temporal → Chromium → Postgres)', () => {
  const stack = useStack();
  const site = useFixtureServer();

  async function waitForTerminal(scanId: string, auth = adminAuth) {
    return eventually(async () => {
      const res = await request(stack().app).get(`/api/scans/${scanId}`).set(auth);
      return TERMINAL.includes(res.body.status) ? res.body : undefined;
    }, 90_000);
  }

  it('scans a page with known violations, frames included, and stores exactly what axe-core reports', async () => {
    const clientId = `acme-${Date.now()}`;
    const res = await request(stack().app)
      .post('/api/scans')
      .set(adminAuth)
      .send({ url: site().url('/violations.html'), clientId, priority: 7, queue: 'high' })
      .expect(202);
    expect(res.body).toEqual({ scanId: expect.any(String), workflowId: scanWorkflowId(res.body.scanId), status: 'queued' });
    expect(res.headers.location).toBe(`/api/scans/${res.body.scanId}`);

    const scan = await waitForTerminal(res.body.scanId);
    expect(scan.status).toBe('completed');
    expect(scan.attempts).toBe(1);
    expect(scan.inconclusive).toBe(false);
    expect(scan.violations.map((v: { ruleId: string }) => v.ruleId).sort()).toEqual([
      'button-name', // inside the cross-origin iframe
      'html-has-lang',
      'image-alt',
      'label',
      'link-name',
    ]);
    const inFrame = scan.violations.find((v: { ruleId: string }) => v.ruleId === 'button-name');
    // axe reports a node inside a frame as [frame selector, selector within the frame]
    expect(inFrame.targets[0]).toEqual(['#reviews', 'button']);
    const imageAlt = scan.violations.find((v: { ruleId: string }) => v.ruleId === 'image-alt');
    expect(imageAlt).toMatchObject({ impact: 'critical', wcag: ['1.1.1'], nodeCount: 2 });
    expect(imageAlt.helpUrl).toMatch(/^https:\/\/dequeuniversity\.com\/rules\/axe\//);
    expect(scan.counts.critical + scan.counts.serious + scan.counts.moderate + scan.counts.minor).toBe(5);
    expect(scan.score).toBeGreaterThanOrEqual(0);
    expect(scan.score).toBeLessThan(100);
    expect(scan.durationMs).toBeGreaterThan(0);
    expect(new Date(scan.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(scan.startedAt).getTime());

    // The full axe result is in Postgres; workflow history carries only the summary.
    const stored = await stack().prisma.scanResult.findUniqueOrThrow({ where: { scanId: scan.scanId } });
    expect((stored.raw as { violations: unknown[] }).violations).toHaveLength(5);
    expect(stored.axeVersion).toMatch(/^4\./);

    const handle = stack().client.workflow.getHandle(scan.workflowId);
    const description = await closedDescription(handle);
    expect(description.status.name).toBe('COMPLETED');
    expect(description.typedSearchAttributes.get(SearchAttributes.ClientId)).toBe(clientId);
    expect(description.typedSearchAttributes.get(SearchAttributes.TargetHost)).toBe('127.0.0.1');
    expect(description.typedSearchAttributes.get(SearchAttributes.Queue)).toBe('high');
    expect(description.typedSearchAttributes.get(SearchAttributes.ScanStatus)).toBe('completed');
    const history = JSON.stringify(await handle.fetchHistory());
    expect(history.length).toBeLessThan(60_000);
    expect(history).not.toContain('failureSummary');

    // Operators find it with `temporal workflow list --query 'ClientId="..."'` (visibility is eventually consistent).
    const listed = await eventually(async () => {
      const ids: string[] = [];
      for await (const wf of stack().client.workflow.list({ query: `ClientId="${clientId}" AND ScanStatus="completed"` }))
        ids.push(wf.workflowId);
      return ids.length ? ids : undefined;
    }, 30_000);
    expect(listed).toEqual([scan.workflowId]);
  });

  it('scores a clean page 100 with no violations', async () => {
    const res = await request(stack().app)
      .post('/api/scans')
      .set(adminAuth)
      .send({ url: site().url('/clean.html'), clientId: 'acme-clean' })
      .expect(202);
    const scan = await waitForTerminal(res.body.scanId);
    expect(scan).toMatchObject({ status: 'completed', score: 100, violations: [], inconclusive: false, queue: 'low', priority: 5 });
    expect(scan.counts).toMatchObject({ critical: 0, serious: 0, moderate: 0, minor: 0, violations: 0 });
  });
});
