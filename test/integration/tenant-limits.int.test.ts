// Tenant limits (issue 13): scheduled runs and triggers are charged to the client's hourly quota, a client key's
// schedule must leave SCHEDULE_MIN_INTERVAL_MINUTES between its real run times, and a client's stored schedules,
// prospects and API keys have ceilings. Real API, workers, Temporal dev server and Postgres.
import request from 'supertest';
import { Worker } from '@temporalio/worker';
import { alertInputs } from '../../monitoring/alerts';
import type { HealthReport } from '../../monitoring/health';
import { useFixtureServer } from '../support/fixture-server';
import { adminAuth, clientAuth, waitForTerminal } from '../support/scan-client';
import { eventually, useStack, workflowBundle } from '../support/stack';

describe('tenant limits', () => {
  const stack = useStack({
    env: {
      SCHEDULE_MIN_INTERVAL_MINUTES: '60',
      MAX_SCHEDULES_PER_CLIENT: '2',
      MAX_PROSPECTS_PER_CLIENT: '3',
      MAX_API_KEYS_PER_CLIENT: '2',
    },
  });
  const site = useFixtureServer();

  /** Schedules of the client as Temporal's visibility store lists them (what the per-client ceiling counts). */
  const listedSchedules = async (clientId: string) => {
    const ids: string[] = [];
    for await (const s of stack().client.schedule.list({ query: `ClientId="${clientId}"` })) ids.push(s.scheduleId);
    return ids;
  };

  describe('schedule run times', () => {
    it.each([
      ['@every 1s', /^cron: must be a standard 5-field cron expression/],
      ['*/5 * * * * * *', /^cron: must be a standard 5-field cron expression/],
      ['0 * * * * *', /^cron: must be a standard 5-field cron expression/],
    ])('refuses the cron %j for any key (400)', async (cron, message) => {
      const res = await request(stack().app)
        .post('/api/schedules')
        .set(adminAuth)
        .send({ url: site().url('/clean.html'), clientId: 'tl-text', cron })
        .expect(400);
      expect(res.body).toMatchObject({ error: 'bad_request', message: expect.stringMatching(message) });
    });

    it.each([
      ['* * * * *', /would run 60 seconds apart/],
      ['*/30 * * * *', /would run 30 minutes apart/],
      // the gap is there once an hour only: the text looks hourly, the run times are not
      ['0,1 * * * *', /would run 60 seconds apart/],
    ])(
      "refuses a client key's cron %j that runs more often than SCHEDULE_MIN_INTERVAL_MINUTES, and leaves no schedule",
      async (cron, message) => {
        const auth = await clientAuth(stack(), `tl-often-${cron.length}-${cron.charCodeAt(0)}`);
        const res = await request(stack().app)
          .post('/api/schedules')
          .set(auth)
          .send({ url: site().url('/clean.html'), cron })
          .expect(400);
        expect(res.body.message).toMatch(message);
        expect(res.body.message).toMatch(/at least 60 minutes between runs \(SCHEDULE_MIN_INTERVAL_MINUTES\)/);
        expect(res.body.details).toMatchObject({ field: 'cron', minimumMinutes: 60 });
        // the schedule created to compute the run times was deleted again
        const mine = await request(stack().app).get('/api/schedules').set(auth).expect(200);
        expect(mine.body.schedules).toEqual([]);
      },
    );

    it("refuses a client key's interval below the minimum; the admin key is exempt", async () => {
      const auth = await clientAuth(stack(), 'tl-interval');
      const res = await request(stack().app)
        .post('/api/schedules')
        .set(auth)
        .send({ url: site().url('/clean.html'), intervalMinutes: 30 })
        .expect(400);
      expect(res.body.message).toBe("intervalMinutes: must be at least 60 (SCHEDULE_MIN_INTERVAL_MINUTES) for a client key's schedule");

      const hourly = await request(stack().app)
        .post('/api/schedules')
        .set(auth)
        .send({ url: site().url('/clean.html'), cron: '0 * * * *' })
        .expect(201);
      // checked while paused, then resumed as asked
      expect(hourly.body).toMatchObject({ paused: false, cron: '0 * * * *' });
      expect(hourly.body.note).toBe('created; run times checked');
      expect(hourly.body.nextRuns.length).toBeGreaterThan(1);

      const byAdmin = await request(stack().app)
        .post('/api/schedules')
        .set(adminAuth)
        .send({ url: site().url('/clean.html'), clientId: 'tl-interval-admin', intervalMinutes: 5, paused: true })
        .expect(201);
      expect(byAdmin.body.intervalMinutes).toBe(5);
      await request(stack().app).delete(`/api/schedules/${hourly.body.scheduleId}`).set(auth).expect(204);
      await request(stack().app).delete(`/api/schedules/${byAdmin.body.scheduleId}`).set(adminAuth).expect(204);
    });
  });

  it('caps the schedules of one client at MAX_SCHEDULES_PER_CLIENT (409 limit_reached)', async () => {
    const auth = await clientAuth(stack(), 'tl-cap');
    const body = { url: site().url('/clean.html'), cron: '0 6 1 * *', paused: true };
    const ids: string[] = [];
    for (let i = 0; i < 2; i++)
      ids.push((await request(stack().app).post('/api/schedules').set(auth).send(body).expect(201)).body.scheduleId);
    // the ceiling counts what Temporal's visibility store lists (a second or so behind)
    await eventually(async () => ((await listedSchedules('tl-cap')).length === 2 ? true : undefined), 30_000);

    const refused = await request(stack().app).post('/api/schedules').set(auth).send(body).expect(409);
    expect(refused.body).toMatchObject({
      error: 'limit_reached',
      message: 'client tl-cap already has 2 schedules, the most allowed (MAX_SCHEDULES_PER_CLIENT=2); delete some first',
      details: { reason: 'limit_reached', clientId: 'tl-cap', current: 2, limit: 2, setting: 'MAX_SCHEDULES_PER_CLIENT' },
    });
    // the admin key creating one for the client is held to the same ceiling
    await request(stack().app)
      .post('/api/schedules')
      .set(adminAuth)
      .send({ ...body, clientId: 'tl-cap' })
      .expect(409);

    await request(stack().app).delete(`/api/schedules/${ids[0]}`).set(auth).expect(204);
    await eventually(async () => ((await listedSchedules('tl-cap')).length === 1 ? true : undefined), 30_000);
    const again = await request(stack().app).post('/api/schedules').set(auth).send(body).expect(201);
    for (const id of [ids[1], again.body.scheduleId]) await request(stack().app).delete(`/api/schedules/${id}`).set(auth).expect(204);
  });

  it("charges every triggered run to the client's hourly quota and records a refused run as a failed scan", async () => {
    const clientId = 'tl-quota';
    const auth = await clientAuth(stack(), clientId);
    await request(stack().app).put(`/api/monitoring/rate-limit/${clientId}`).set(adminAuth).send({ scansPerHour: 1 }).expect(200);
    const created = await request(stack().app)
      .post('/api/schedules')
      .set(auth)
      .send({ url: site().url('/clean.html'), cron: '0 6 1 * *' })
      .expect(201);
    const { scheduleId } = created.body;

    await request(stack().app).post(`/api/schedules/${scheduleId}/trigger`).set(auth).expect(202);
    const first = await eventually(
      async () =>
        stack()
          .prisma.scan.findFirst({ where: { scheduleId } })
          .then((s) => s ?? undefined),
      60_000,
    );
    expect(await waitForTerminal(stack().app, first.id)).toMatchObject({ status: 'completed', score: 100, clientId });
    // the run took the one scan of this hour
    const used = await request(stack().app).get(`/api/monitoring/rate-limit/${clientId}`).set(auth).expect(200);
    expect(used.body).toMatchObject({ clientId, scansThisHour: 1, limit: 1, remaining: 0, source: 'override' });
    // a client key's own submission is refused now, as before
    await request(stack().app)
      .post('/api/scans')
      .set(auth)
      .send({ url: site().url('/clean.html') })
      .expect(429);

    // The first run has ended (SKIP drops a trigger while a run is still going): the second is refused and recorded.
    await eventually(
      async () => ((await stack().client.schedule.getHandle(scheduleId).describe()).info.runningActions.length === 0 ? true : undefined),
      30_000,
    );
    await request(stack().app).post(`/api/schedules/${scheduleId}/trigger`).set(auth).expect(202);
    const refused = await eventually(
      async () =>
        stack()
          .prisma.scan.findFirst({ where: { scheduleId, id: { not: first.id } } })
          .then((s) => s ?? undefined),
      60_000,
    );
    const view = await waitForTerminal(stack().app, refused.id);
    expect(view).toMatchObject({ status: 'failed', failureReason: 'rate_limited', clientId });
    expect(view.failureMessage ?? refused.failureMessage).toMatch(/^scan limit reached: 1 scans per hour for client tl-quota; resets at /);
    // nothing ran: no page was opened for it, no child scan workflow exists
    expect(await stack().prisma.scanResult.findUnique({ where: { scanId: refused.id } })).toBeNull();
    await expect(stack().client.workflow.getHandle(`scan-${refused.id}`).describe()).rejects.toThrow(/not found/i);
    // a refusal is policy, not a platform failure: the failed-scans and success-rate alerts leave it out
    const inputs = await alertInputs(
      stack().prisma,
      { workers: [], components: {} } as unknown as HealthReport,
      {},
      {
        windowMs: 3_600_000,
        successRateThreshold: 0.9,
        minVolume: 1,
      },
    );
    expect(inputs.failedInWindow.byReason.rate_limited).toBeUndefined();
    const still = await request(stack().app).get(`/api/monitoring/rate-limit/${clientId}`).set(auth).expect(200);
    expect(still.body).toMatchObject({ scansThisHour: 1, remaining: 0 });

    // visible to the client: in GET /api/scans and in the schedule's view
    const listed = await request(stack().app).get('/api/scans').set(auth).expect(200);
    expect(listed.body.scans).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ scanId: first.id, status: 'completed' }),
        expect.objectContaining({ scanId: refused.id, status: 'failed', failureReason: 'rate_limited' }),
      ]),
    );
    const described = await request(stack().app).get(`/api/schedules/${scheduleId}`).set(auth).expect(200);
    expect(described.body.recentScans[0]).toMatchObject({ scanId: refused.id, status: 'failed', failureReason: 'rate_limited' });
    expect(described.body.recentScans).toHaveLength(2);

    // Both scheduled-run histories (charged and refused) replay against the current workflow code.
    const bundle = await workflowBundle();
    expect(described.body.recentRuns).toHaveLength(2);
    for (const run of described.body.recentRuns as Array<{ workflowId: string }>) {
      const history = await stack().client.workflow.getHandle(run.workflowId).fetchHistory();
      await expect(Worker.runReplayHistory({ workflowBundle: bundle }, history, run.workflowId)).resolves.toBeUndefined();
    }

    // The admin's schedule for the same client is exempt, like an admin submission: it runs with the quota spent.
    const byAdmin = await request(stack().app)
      .post('/api/schedules')
      .set(adminAuth)
      .send({ url: site().url('/clean.html'), clientId, cron: '0 6 1 * *' })
      .expect(201);
    await request(stack().app).post(`/api/schedules/${byAdmin.body.scheduleId}/trigger`).set(adminAuth).expect(202);
    const exempt = await eventually(
      async () =>
        stack()
          .prisma.scan.findFirst({ where: { scheduleId: byAdmin.body.scheduleId } })
          .then((s) => s ?? undefined),
      60_000,
    );
    expect(await waitForTerminal(stack().app, exempt.id)).toMatchObject({ status: 'completed', clientId });
    const after = await request(stack().app).get(`/api/monitoring/rate-limit/${clientId}`).set(adminAuth).expect(200);
    expect(after.body.scansThisHour).toBe(1);

    await request(stack().app).delete(`/api/schedules/${scheduleId}`).set(auth).expect(204);
    await request(stack().app).delete(`/api/schedules/${byAdmin.body.scheduleId}`).set(adminAuth).expect(204);
  });

  it('caps the prospects of one client at MAX_PROSPECTS_PER_CLIENT: a create or an import past it is a 409', async () => {
    const auth = await clientAuth(stack(), 'tl-prospects');
    for (const host of ['a', 'b'])
      await request(stack().app)
        .post('/api/prospects')
        .set(auth)
        .send({ url: `https://${host}.example/` })
        .expect(201);

    const tooMany = await request(stack().app)
      .post('/api/prospects/import')
      .set(auth)
      .send({ prospects: [{ url: 'https://c.example/' }, { url: 'https://d.example/' }, { url: 'https://a.example/' }] })
      .expect(409);
    expect(tooMany.body).toMatchObject({
      error: 'limit_reached',
      message:
        'client tl-prospects has 2 prospects and this import would add 2, more than MAX_PROSPECTS_PER_CLIENT=3 allows; nothing was imported',
      details: { clientId: 'tl-prospects', current: 2, adding: 2, limit: 3, setting: 'MAX_PROSPECTS_PER_CLIENT' },
    });
    expect(await stack().prisma.prospect.count({ where: { clientId: 'tl-prospects' } })).toBe(2);

    // duplicates add nothing, so they do not count against the ceiling
    const fits = await request(stack().app)
      .post('/api/prospects/import')
      .set(auth)
      .send({ prospects: [{ url: 'https://c.example/' }, { url: 'https://a.example/' }] })
      .expect(200);
    expect(fits.body).toMatchObject({ created: 1 });

    const full = await request(stack().app).post('/api/prospects').set(auth).send({ url: 'https://e.example/' }).expect(409);
    expect(full.body).toMatchObject({
      error: 'limit_reached',
      message: 'client tl-prospects already has 3 prospects, the most allowed (MAX_PROSPECTS_PER_CLIENT=3); delete some first',
    });
    // another client is not affected
    await request(stack().app)
      .post('/api/prospects')
      .set(adminAuth)
      .send({ clientId: 'tl-prospects-2', url: 'https://e.example/' })
      .expect(201);
  });

  it('caps the active API keys of one client at MAX_API_KEYS_PER_CLIENT; a revoked key frees its place', async () => {
    const first = await request(stack().app).post('/api/keys').set(adminAuth).send({ clientId: 'tl-keys' }).expect(201);
    await request(stack().app).post('/api/keys').set(adminAuth).send({ clientId: 'tl-keys' }).expect(201);
    const refused = await request(stack().app).post('/api/keys').set(adminAuth).send({ clientId: 'tl-keys' }).expect(409);
    expect(refused.body).toMatchObject({
      error: 'limit_reached',
      message: 'client tl-keys already has 2 active API keys, the most allowed (MAX_API_KEYS_PER_CLIENT=2); revoke one first',
      details: { current: 2, limit: 2, setting: 'MAX_API_KEYS_PER_CLIENT' },
    });
    await request(stack().app).delete(`/api/keys/${first.body.id}`).set(adminAuth).expect(204);
    await request(stack().app).post('/api/keys').set(adminAuth).send({ clientId: 'tl-keys' }).expect(201);
  });
});
