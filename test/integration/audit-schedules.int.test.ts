// Audit schedules: POST /api/schedules with `audit` starts scheduledAuditWorkflow, each firing a new audit filed under
// the schedule. The same rules as scan schedules (minimum interval for client keys, per-client ceiling), and a
// triggered run audits a generated site to the end. Real API, workers, Chromium, Temporal dev server and Postgres.
import request from 'supertest';
import { auditScheduleIdPrefix } from '../../core/audit';
import { useFixtureSite } from '../support/fixture-site';
import { adminAuth, clientAuth, TERMINAL_STATUSES } from '../support/scan-client';
import { eventually, useStack } from '../support/stack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const unique = (name: string) => `${name}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

describe('audit schedules', () => {
  const created: string[] = [];
  // Declared before the stack, so it runs while the stack is still up: no schedule outlives the file on the shared
  // Temporal server (those already deleted answer 404).
  afterAll(async () => {
    for (const scheduleId of created) await request(stack().app).delete(`/api/schedules/${scheduleId}`).set(adminAuth);
  });

  const stack = useStack({ env: { SCHEDULE_MIN_INTERVAL_MINUTES: '60', MAX_SCHEDULES_PER_CLIENT: '2' } });
  const site = useFixtureSite({ pages: 20 });

  async function createSchedule(auth: Record<string, string>, body: Body, status = 201): Promise<Body> {
    const res = await request(stack().app).post('/api/schedules').set(auth).send(body).expect(status);
    if (res.status === 201) created.push(res.body.scheduleId);
    return res.body as Body;
  }

  /** The client's schedules as Temporal's visibility store lists them (what the per-client ceiling counts). */
  const listedSchedules = async (clientId: string) => {
    const ids: string[] = [];
    for await (const s of stack().client.schedule.list({ query: `ClientId="${clientId}"` })) ids.push(s.scheduleId);
    return ids;
  };

  it('runs a triggered audit schedule as a new audit filed under it, to the end, then deletes it', async () => {
    const clientId = unique('as-admin');
    const schedule = await createSchedule(adminAuth, {
      url: `${site().origin}/`,
      clientId,
      cron: '0 6 1 * *',
      timezone: 'Europe/London',
      name: 'Monthly site audit',
      audit: { maxPages: 3, sitemap: 'off', politeness: { concurrency: 2 } },
    });
    const { scheduleId } = schedule;
    expect(scheduleId).toMatch(new RegExp(`^${auditScheduleIdPrefix}[0-9a-f-]{36}$`));
    // The options were resolved once, at creation, with every default applied.
    expect(schedule).toMatchObject({
      kind: 'audit',
      clientId,
      cron: '0 6 1 * *',
      paused: false,
      url: `${site().origin}/`,
      audit: {
        maxPages: 3,
        maxDepth: 5,
        include: [],
        exclude: [],
        sitemap: 'off',
        respectRobots: true,
        politeness: { concurrency: 2, delayMs: 0 },
        maxPerPattern: 50,
        wcagTags: expect.arrayContaining(['wcag2aa']),
      },
      recentAudits: [],
    });
    expect(schedule.recentScans).toBeUndefined();
    const description = await stack().client.schedule.getHandle(scheduleId).describe();
    expect(description.action).toMatchObject({ workflowType: 'scheduledAuditWorkflow', taskQueue: stack().queues.low });

    await request(stack().app).post(`/api/schedules/${scheduleId}/trigger`).set(adminAuth).expect(202);
    const row = await eventually(
      async () =>
        stack()
          .prisma.audit.findFirst({ where: { scheduleId } })
          .then((a) => a ?? undefined),
      60_000,
    );
    expect(row).toMatchObject({ clientId, submittedBy: '@operator', startUrl: `${site().origin}/` });
    const audit = await eventually(
      async () => {
        const r = await request(stack().app).get(`/api/audits/${row.id}`).set(adminAuth).expect(200);
        return TERMINAL_STATUSES.includes(r.body.status) ? (r.body as Body) : undefined;
      },
      240_000,
      1_000,
    );
    expect(audit).toMatchObject({ status: 'completed', clientId, options: { maxPages: 3 }, progress: { scanned: 3, failed: 0 } });
    expect(audit.report).toBeTruthy();

    const listed = await request(stack().app).get('/api/audits').query({ clientId }).set(adminAuth).expect(200);
    expect(listed.body.audits.map((a: Body) => a.auditId)).toEqual([row.id]);
    const described = await request(stack().app).get(`/api/schedules/${scheduleId}`).set(adminAuth).expect(200);
    expect(described.body.recentAudits).toEqual([expect.objectContaining({ auditId: row.id, status: 'completed' })]);
    expect(described.body.recentRuns.length).toBeGreaterThanOrEqual(1);

    const all = await eventually(async () => {
      const r = await request(stack().app).get('/api/schedules').set(adminAuth);
      return r.body.schedules.find((s: Body) => s.scheduleId === scheduleId);
    }, 30_000);
    expect(all).toMatchObject({ kind: 'audit', clientId });

    await request(stack().app).delete(`/api/schedules/${scheduleId}`).set(adminAuth).expect(204);
    await request(stack().app).get(`/api/schedules/${scheduleId}`).set(adminAuth).expect(404);
  }, 300_000);

  it('holds a client key to the same rules as scan schedules: minimum interval, options ceilings, per-client cap', async () => {
    const clientId = unique('as-client');
    const auth = await clientAuth(stack(), clientId);
    const url = `${site().origin}/`;

    // Too frequent: the same 400s as a scan schedule, and nothing is left behind.
    const tooOften = await createSchedule(auth, { url, cron: '*/5 * * * *', audit: {} }, 400);
    expect(tooOften.message).toMatch(/at least 60 minutes between runs \(SCHEDULE_MIN_INTERVAL_MINUTES\)/);
    const shortInterval = await createSchedule(auth, { url, intervalMinutes: 30, audit: {} }, 400);
    expect(shortInterval.message).toBe("intervalMinutes: must be at least 60 (SCHEDULE_MIN_INTERVAL_MINUTES) for a client key's schedule");
    // The audit options are checked like POST /api/audits, named under `audit.`.
    const badOptions = await createSchedule(auth, { url, intervalMinutes: 1440, audit: { maxPages: 100_000, include: ['re:(('] } }, 400);
    expect(badOptions.details.fields.map((f: Body) => f.field).sort()).toEqual(['audit.include[0]', 'audit.maxPages']);
    await createSchedule(auth, { url, intervalMinutes: 1440, audit: { depth: 3 } }, 400);

    const audits = await createSchedule(auth, { url, intervalMinutes: 1440, paused: true, audit: { maxPages: 5 } });
    expect(audits).toMatchObject({ kind: 'audit', clientId, intervalMinutes: 1440, paused: true, audit: { maxPages: 5 } });
    const scans = await createSchedule(auth, { url: site().url('/'), cron: '0 6 1 * *', paused: true });
    expect(scans).toMatchObject({ kind: 'scan', recentScans: [] });

    const mine = await request(stack().app).get('/api/schedules').set(auth).expect(200);
    expect(mine.body.schedules.map((s: Body) => [s.scheduleId, s.kind]).sort()).toEqual(
      [
        [audits.scheduleId, 'audit'],
        [scans.scheduleId, 'scan'],
      ].sort(),
    );

    // The ceiling counts audit schedules too (what Temporal's visibility store lists, a second or so behind).
    await eventually(async () => ((await listedSchedules(clientId)).length === 2 ? true : undefined), 30_000);
    const refused = await createSchedule(auth, { url, intervalMinutes: 1440, audit: {} }, 409);
    expect(refused).toMatchObject({ error: 'limit_reached', details: { current: 2, limit: 2, setting: 'MAX_SCHEDULES_PER_CLIENT' } });

    // Another client's audit schedule is not there for this key.
    const other = await createSchedule(adminAuth, { url, clientId: unique('as-other'), intervalMinutes: 1440, paused: true, audit: {} });
    await request(stack().app).get(`/api/schedules/${other.scheduleId}`).set(auth).expect(404);
    await request(stack().app).post(`/api/schedules/${other.scheduleId}/trigger`).set(auth).expect(404);

    for (const id of [audits.scheduleId, scans.scheduleId]) await request(stack().app).delete(`/api/schedules/${id}`).set(auth).expect(204);
    await request(stack().app).delete(`/api/schedules/${other.scheduleId}`).set(adminAuth).expect(204);
  });
});
