// Recurring audits: Temporal Schedules of scan workflows, with an explicit overlap policy.
import type { ServerResponse } from 'node:http';
import request from 'supertest';
import { useFixtureServer } from '../support/fixture-server';
import { adminAuth, clientAuth, waitForTerminal } from '../support/scan-client';
import { eventually, useStack } from '../support/stack';

describe('schedules', () => {
  const stack = useStack();
  // /held answers only once the test lets it: a scheduled run that is "still going" for as long as a test needs.
  const held: ServerResponse[] = [];
  let holding = true;
  const page = '<!doctype html><html lang="en"><head><title>Held</title></head><body><main><h1>Held</h1></main></body></html>';
  const site = useFixtureServer({ '/held': (_req, res) => (holding ? void held.push(res) : res.end(page)) });
  const releaseHeld = () => {
    holding = false;
    for (const res of held.splice(0)) res.end(page);
  };

  it('creates a monthly schedule, runs it on demand as a normal scan, pauses, resumes and deletes it', async () => {
    const created = await request(stack().app)
      .post('/api/schedules')
      .set(adminAuth)
      .send({ url: site().url('/clean.html'), clientId: 'sched-acme', cron: '0 6 1 * *', timezone: 'Europe/London', name: 'Monthly audit' })
      .expect(201);
    expect(created.body).toMatchObject({
      scheduleId: expect.stringMatching(/^scan-schedule-/),
      clientId: 'sched-acme',
      cron: '0 6 1 * *',
      timezone: 'Europe/London',
      overlap: 'skip',
      paused: false,
      name: 'Monthly audit',
    });
    expect(created.body.nextRuns.length).toBeGreaterThan(0);
    // 06:00 London time on the 1st of a month.
    const next = new Date(created.body.nextRuns[0]);
    expect(next.getUTCDate()).toBe(1);
    const { scheduleId } = created.body;

    await request(stack().app).post(`/api/schedules/${scheduleId}/trigger`).set(adminAuth).expect(202);
    const scan = await eventually(
      async () =>
        stack()
          .prisma.scan.findFirst({ where: { scheduleId } })
          .then((s) => s ?? undefined),
      60_000,
    );
    expect(await waitForTerminal(stack().app, scan.id)).toMatchObject({ status: 'completed', score: 100, clientId: 'sched-acme' });

    const paused = await request(stack().app).post(`/api/schedules/${scheduleId}/pause`).set(adminAuth).expect(200);
    expect(paused.body.paused).toBe(true);
    const resumed = await request(stack().app).post(`/api/schedules/${scheduleId}/resume`).set(adminAuth).expect(200);
    expect(resumed.body.paused).toBe(false);
    const described = await request(stack().app).get(`/api/schedules/${scheduleId}`).set(adminAuth).expect(200);
    expect(described.body.recentRuns.length).toBeGreaterThanOrEqual(1);

    const listed = await eventually(async () => {
      const r = await request(stack().app).get('/api/schedules').set(adminAuth);
      return r.body.schedules.some((s: { scheduleId: string }) => s.scheduleId === scheduleId) ? r.body.schedules : undefined;
    }, 30_000);
    expect(listed.length).toBeGreaterThanOrEqual(1);

    await request(stack().app).delete(`/api/schedules/${scheduleId}`).set(adminAuth).expect(204);
    await request(stack().app).get(`/api/schedules/${scheduleId}`).set(adminAuth).expect(404);
  });

  it('drops a trigger while the previous run is still going (overlap SKIP), and runs the next one after it', async () => {
    const created = await request(stack().app)
      .post('/api/schedules')
      .set(adminAuth)
      .send({ url: site().url('/held'), clientId: 'sched-overlap', cron: '0 6 1 * *' })
      .expect(201);
    const { scheduleId } = created.body;
    expect(created.body.overlap).toBe('skip');
    const handle = stack().client.schedule.getHandle(scheduleId);
    try {
      await request(stack().app).post(`/api/schedules/${scheduleId}/trigger`).set(adminAuth).expect(202);
      // The first run is going: its scan is waiting on /held.
      await eventually(async () => (held.length > 0 ? true : undefined), 60_000);
      await request(stack().app).post(`/api/schedules/${scheduleId}/trigger`).set(adminAuth).expect(202);
      const skipped = await eventually(async () => {
        const d = await handle.describe();
        return d.info.numActionsSkippedOverlap > 0 ? d : undefined;
      }, 30_000);
      expect(skipped.info.numActionsSkippedOverlap).toBe(1);
      expect(skipped.info.runningActions).toHaveLength(1);
      expect(await stack().prisma.scan.count({ where: { scheduleId } })).toBe(1);

      releaseHeld();
      const first = await eventually(async () => (await stack().prisma.scan.findFirst({ where: { scheduleId } })) ?? undefined);
      expect(await waitForTerminal(stack().app, first.id)).toMatchObject({ status: 'completed' });
      // Once the run has ended, a trigger runs again.
      await eventually(async () => ((await handle.describe()).info.runningActions.length === 0 ? true : undefined), 30_000);
      await request(stack().app).post(`/api/schedules/${scheduleId}/trigger`).set(adminAuth).expect(202);
      await eventually(async () => ((await stack().prisma.scan.count({ where: { scheduleId } })) === 2 ? true : undefined), 60_000);
      expect((await handle.describe()).info.numActionsSkippedOverlap).toBe(1);
    } finally {
      releaseHeld();
      await request(stack().app).delete(`/api/schedules/${scheduleId}`).set(adminAuth);
    }
  });

  it('keeps client keys to their own schedules', async () => {
    const client = await clientAuth(stack(), 'sched-client');
    const other = await request(stack().app)
      .post('/api/schedules')
      .set(adminAuth)
      .send({ url: site().url('/clean.html'), clientId: 'sched-other', intervalMinutes: 60, paused: true })
      .expect(201);
    await request(stack().app).get(`/api/schedules/${other.body.scheduleId}`).set(client).expect(404);
    await request(stack().app).post(`/api/schedules/${other.body.scheduleId}/trigger`).set(client).expect(404);
    const own = await request(stack().app)
      .post('/api/schedules')
      .set(client)
      .send({ url: site().url('/clean.html'), intervalMinutes: 1440 })
      .expect(201);
    expect(own.body).toMatchObject({ clientId: 'sched-client', intervalMinutes: 1440 });
    await request(stack().app).delete(`/api/schedules/${other.body.scheduleId}`).set(adminAuth).expect(204);
    await request(stack().app).delete(`/api/schedules/${own.body.scheduleId}`).set(client).expect(204);
  });

  it.each([
    [{ url: 'http://example.com/', clientId: 'x' }, /cron or intervalMinutes/],
    [{ url: 'http://example.com/', clientId: 'x', cron: '0 6 1 * *', intervalMinutes: 60 }, /cron or intervalMinutes/],
    [{ url: 'http://example.com/', clientId: 'x', intervalMinutes: 1 }, /^intervalMinutes: /],
    [{ url: 'http://example.com/', clientId: 'x', cron: '0 6 1 * *', timezone: 'Mars/Olympus' }, /timezone/],
    [{ clientId: 'x', cron: '0 6 1 * *' }, /url or prospectId/],
    [{ url: 'ftp://example.com/', clientId: 'x', cron: '0 6 1 * *' }, /^url: only http/],
  ])('rejects %j with a 400', async (body, message) => {
    const res = await request(stack().app).post('/api/schedules').set(adminAuth).send(body).expect(400);
    expect(res.body.message).toMatch(message);
  });
});
