// Acceptance run, not part of `npm test` (about 10 minutes here): a 1,000-item bulk over a local corpus ends
// with every item terminal, in Postgres and in Temporal. Run with `npm run soak:bulk`; prints its figures.
import request from 'supertest';
import { reconcile } from '../../monitoring/reconcile';
import { startFixtureServer } from '../support/fixture-server';
import { adminAuth } from '../support/scan-client';
import { eventually, startStack } from '../support/stack';

const ITEMS = Number(process.env.SOAK_ITEMS ?? 1000);

it(
  `runs a ${ITEMS}-item bulk to the end with every item terminal`,
  async () => {
    const pages = ['/clean.html', '/violations.html'];
    const site = await startFixtureServer();
    const stack = await startStack({ env: { MAX_CONCURRENT_PAGES: '3', LOG_LEVEL: 'silent' } });
    try {
      const started = Date.now();
      const res = await request(stack.app)
        .post('/api/scans/bulk')
        .set(adminAuth)
        .send({
          clientId: 'soak',
          maxRetries: 1,
          scans: Array.from({ length: ITEMS }, (_, i) => ({ url: site.url(`${pages[i % 2]}?i=${i}`) })),
        })
        .expect(202);
      const acceptedMs = Date.now() - started;
      let last = '';
      const done = await eventually(
        async () => {
          const p = await request(stack.app).get(`/api/scans/bulk/${res.body.bulkId}?limit=1`).set(adminAuth);
          const line = `[${p.body.completed + p.body.failed + p.body.cancelled}/${p.body.total}] running ${p.body.running}`;
          if (line !== last) process.stdout.write(`${line}\n`);
          last = line;
          return p.body.done && p.body.status === 'completed' ? p.body : undefined;
        },
        60 * 60_000,
        5_000,
      );
      const minutes = (Date.now() - started) / 60_000;
      expect(done).toMatchObject({ total: ITEMS, queued: 0, running: 0 });
      expect(done.completed + done.failed + done.cancelled).toBe(ITEMS);
      const check = await reconcile({ prisma: stack.prisma, client: stack.client, clientId: 'soak', since: new Date(started - 60_000) });
      process.stdout.write(
        `${ITEMS} items: accepted in ${acceptedMs} ms, all terminal in ${minutes.toFixed(1)} min ` +
          `(${(ITEMS / minutes).toFixed(1)} scans/min), completed ${done.completed}, failed ${done.failed}; ` +
          `reconcile: ${check.inAgreement}/${check.checked} agree, ${check.problems.length} problems\n`,
      );
      expect(check.problems).toEqual([]);
    } finally {
      await stack.stop();
      await site.close();
    }
  },
  70 * 60_000,
);
