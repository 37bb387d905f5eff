// Prospects' external ids (a client's CRM ids such as `prospect-123`): the API's rules for them, and the seed's bulk
// file of such ids scanned through scan-bulk.sh, run as a real child process against a real stack on a port
// (API + Postgres + Temporal + workers + Chromium). Chromium budget: 6 light scans.
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { startFixtureServer, type FixtureServer } from '../support/fixture-server';
import { adminAuth, bearer, createClientKey, waitForTerminal } from '../support/scan-client';
import { ADMIN_KEY, eventually, startStack, type Stack } from '../support/stack';

const ROOT = join(__dirname, '..', '..');
const SCAN_BULK = join(ROOT, 'scripts', 'scan-bulk.sh');
const tag = randomBytes(3).toString('hex');
// Two clients of one CRM: the same external ids on both sides.
const acme = `ext-acme-${tag}`;
const globex = `ext-globex-${tag}`;

let site: FixtureServer;
let stack: Stack;
let server: Server;
let base: string;
let dir: string;
let acmeKey: string;
let globexKey: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs scan-bulk.sh to the end with exactly the key given (no ADMIN_API_KEY from the test environment). */
function scanBulk(args: string[], key: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(SCAN_BULK, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, WCAG_API_KEY: key },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const api = () => request(stack.app);
const create = (body: object, auth: Record<string, string> = adminAuth) => api().post('/api/prospects').set(auth).send(body);
const bulkIdIn = (stdout: string) => /submitted bulk ([0-9a-f-]{36})/.exec(stdout)?.[1];

beforeAll(async () => {
  site = await startFixtureServer();
  stack = await startStack({ env: { MAX_CONCURRENT_PAGES: '2' } });
  server = stack.app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'wcag-extid-'));
  acmeKey = (await createClientKey(stack, acme)).key;
  globexKey = (await createClientKey(stack, globex)).key;
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await stack?.stop();
  await site?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('external ids in the prospects API', () => {
  it('are unique per client, not across clients, and show in every answer', async () => {
    const a = await create({ clientId: acme, url: 'https://crm-a.example/', externalId: 'crm-1' }).expect(201);
    expect(a.body).toMatchObject({ clientId: acme, url: 'https://crm-a.example/', externalId: 'crm-1' });

    const again = await create({ clientId: acme, url: 'https://crm-a2.example/', externalId: 'crm-1' }).expect(409);
    expect(again.body).toMatchObject({
      error: 'conflict',
      message: `client ${acme} already has a prospect with external id crm-1`,
      details: { prospectId: a.body.id },
    });
    expect(again.headers.location).toBe(`/api/prospects/${a.body.id}`);

    // Another client's CRM may number its prospects the same way.
    const g = await create({ url: 'https://crm-a.example/', externalId: 'crm-1' }, bearer(globexKey)).expect(201);
    expect(g.body).toMatchObject({ clientId: globex, externalId: 'crm-1' });

    // Without one it is null, and any number of a client's prospects may have none.
    const none1 = await create({ clientId: acme, url: 'https://crm-none1.example/' }).expect(201);
    await create({ clientId: acme, url: 'https://crm-none2.example/' }).expect(201);
    expect(none1.body.externalId).toBeNull();

    const one = await api().get(`/api/prospects/${a.body.id}`).set(adminAuth).expect(200);
    expect(one.body.externalId).toBe('crm-1');
    const both = await api().get('/api/prospects?externalId=crm-1').set(adminAuth).expect(200);
    expect(both.body.prospects.map((p: { id: string }) => p.id).sort()).toEqual([a.body.id, g.body.id].sort());
    const mine = await api().get('/api/prospects?externalId=crm-1').set(bearer(acmeKey)).expect(200);
    expect(mine.body.prospects).toEqual([expect.objectContaining({ id: a.body.id, clientId: acme, externalId: 'crm-1' })]);
  });

  it('refuses ids that could not sit on a line of a bulk file', async () => {
    for (const externalId of ['has space', '#comment', '-flag', 'a/b', '', 'x'.repeat(101)]) {
      const res = await create({ clientId: acme, url: `https://bad-${randomUUID()}.example/`, externalId }).expect(400);
      expect(res.body.details.fields).toEqual([expect.objectContaining({ field: 'externalId' })]);
    }
    // Case matters (some CRMs' ids are case-sensitive), and the longest accepted is 100 characters.
    await create({ clientId: acme, url: 'https://case.example/', externalId: 'CRM-1' }).expect(201);
    await create({ clientId: acme, url: 'https://long.example/', externalId: `0015g${'A'.repeat(95)}` }).expect(201);
  });

  it('can be set, changed and cleared with PATCH; a taken one is a 409', async () => {
    const p = await create({ clientId: acme, url: 'https://patch.example/' }).expect(201);
    const set = await api().patch(`/api/prospects/${p.body.id}`).set(adminAuth).send({ externalId: 'crm-patch' }).expect(200);
    expect(set.body.externalId).toBe('crm-patch');
    // Keeping its own id while changing the URL is not a conflict.
    await api()
      .patch(`/api/prospects/${p.body.id}`)
      .set(adminAuth)
      .send({ url: 'https://patch2.example/', externalId: 'crm-patch' })
      .expect(200);
    const taken = await api().patch(`/api/prospects/${p.body.id}`).set(adminAuth).send({ externalId: 'crm-1' }).expect(409);
    expect(taken.body.message).toBe(`client ${acme} already has a prospect with external id crm-1`);
    const cleared = await api().patch(`/api/prospects/${p.body.id}`).set(bearer(acmeKey)).send({ externalId: null }).expect(200);
    expect(cleared.body.externalId).toBeNull();
  });

  it('imports them from a CSV column, skipping a row whose id is taken or repeated', async () => {
    const csv = [
      'url,name,external_id',
      'https://imp-1.example/,One,crm-imp-1',
      'https://imp-2.example/,Two,crm-1', // acme's crm-1 exists
      'https://imp-3.example/,Three,crm-imp-1', // repeats line 2
      'https://imp-4.example/,Four,',
    ].join('\n');
    const res = await api()
      .post(`/api/prospects/import?clientId=${acme}`)
      .set(adminAuth)
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(200);
    const [crm1] = (await api().get(`/api/prospects?externalId=crm-1&clientId=${acme}`).set(adminAuth).expect(200)).body.prospects;
    expect(res.body).toEqual({
      created: 2,
      updated: 0,
      skipped: [
        {
          line: 3,
          url: 'https://imp-2.example/',
          reason: `externalId: client ${acme} already has a prospect with external id crm-1`,
          prospectId: crm1.id,
        },
        { line: 4, url: 'https://imp-3.example/', reason: 'externalId: crm-imp-1 is also on line 2 of this import' },
      ],
    });
    const four = (await api().get(`/api/prospects?q=imp-4&clientId=${acme}`).set(adminAuth)).body.prospects[0];
    expect(four.externalId).toBeNull();

    // onDuplicate=update attaches a CRM id to a prospect that exists without one (JSON form).
    const update = await api()
      .post('/api/prospects/import?onDuplicate=update')
      .set(bearer(acmeKey))
      .send({ prospects: [{ url: 'https://imp-4.example/', externalId: 'crm-imp-4' }] })
      .expect(200);
    expect(update.body).toEqual({ created: 0, updated: 1, skipped: [] });
    expect((await api().get(`/api/prospects/${four.id}`).set(adminAuth)).body.externalId).toBe('crm-imp-4');
  });
});

describe("the seed's bulk file of external ids, through scan-bulk.sh", () => {
  it('scans the right prospects for a client key, mixing external ids and UUIDs, rejecting an unknown id', async () => {
    const mk = (clientId: string, path: string, externalId?: string) =>
      stack.prisma.prospect.create({ data: { id: randomUUID(), clientId, url: site.url(path), externalId } });
    const p123 = await mk(acme, '/clean.html?p123', 'prospect-123');
    const p456 = await mk(acme, '/violations.html?p456', 'prospect-456');
    const byUuid = await mk(acme, '/clean.html?uuid');
    // globex's prospect-123 is another prospect: acme's file must never reach it.
    const theirs = await mk(globex, '/clean.html?globex', 'prospect-123');

    // The seed's README format verbatim, plus one of our UUIDs (upper case, as a spreadsheet might) and an unknown id.
    const file = join(dir, 'prospect-ids.txt');
    await writeFile(file, `prospect-123\nprospect-456\n${byUuid.id.toUpperCase()}\nprospect-789\n# Comments starting with # are ignored\n`);
    // The seed's invocation: <file> [high|low] [base-url]; the key is the client's.
    const r = await scanBulk([file, 'low', base], acmeKey);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('3 of 4 accepted, queue low');
    expect(r.stdout).toContain('   - prospect-789: rejected: prospect prospect-789 not found');
    // stdout is a pipe: the seed's summary without its emoji (README "Operator scripts", terminal or pipe).
    expect(r.stdout).toContain('Total processed: 4\nSuccessful: 3\nFailed: 1\n');
    expect(r.code).toBe(1);

    const scans = await stack.prisma.scan.findMany({ where: { bulkId: bulkIdIn(r.stdout) }, orderBy: { bulkIndex: 'asc' } });
    expect(scans.map((s) => ({ prospectId: s.prospectId, clientId: s.clientId, url: s.url, status: s.status }))).toEqual([
      { prospectId: p123.id, clientId: acme, url: p123.url, status: 'completed' },
      { prospectId: p456.id, clientId: acme, url: p456.url, status: 'completed' },
      { prospectId: byUuid.id, clientId: acme, url: byUuid.url, status: 'completed' },
    ]);
    expect(await stack.prisma.scan.count({ where: { prospectId: theirs.id } })).toBe(0);
  });

  it('resolves external ids within --client for the admin key, and says why without it', async () => {
    const theirs = await stack.prisma.prospect.findFirstOrThrow({ where: { clientId: globex, externalId: 'prospect-123' } });
    const file = join(dir, 'globex.txt');
    await writeFile(file, 'prospect-123\n');

    const without = await scanBulk([file, 'low', base], ADMIN_KEY);
    expect(without.stderr).toBe(
      `wcag: no item of ${file} was accepted (line 1: prospect prospect-123 not found: an external id names a prospect of one client; ` +
        "give clientId (scan-bulk.sh --client <id>)); with the admin key, --client <id> says whose prospects' external ids they are\n",
    );
    expect(without.code).toBe(1); // the API refused every item: a failure, not a usage error (2)

    const withClient = await scanBulk(['--client', globex, file, 'high', base], ADMIN_KEY);
    expect(withClient.stdout).toContain('1 of 1 accepted, queue high');
    expect(withClient.code).toBe(0);
    const [scan] = await stack.prisma.scan.findMany({ where: { bulkId: bulkIdIn(withClient.stdout) } });
    expect(scan).toMatchObject({ prospectId: theirs.id, clientId: globex, status: 'completed' });
  });

  it("also names the prospect of a single scan and of a bulk URL item, within the scan's client", async () => {
    const p = await stack.prisma.prospect.create({
      data: { id: randomUUID(), clientId: acme, url: site.url('/clean.html?single'), externalId: 'crm-single' },
    });
    // The seed's addScan({ prospectId: 'prospect-123', url, clientId }) shape, on POST /api/scans.
    const single = await api().post('/api/scans').set(adminAuth).send({ url: p.url, clientId: acme, prospectId: 'crm-single' }).expect(202);
    const done = await waitForTerminal(stack.app, single.body.scanId);
    expect(done).toMatchObject({ status: 'completed', prospectId: p.id });
    const foreign = await api()
      .post('/api/scans')
      .set(adminAuth)
      .send({ url: p.url, clientId: globex, prospectId: 'crm-single' })
      .expect(400);
    expect(foreign.body.details.fields).toEqual([{ field: 'prospectId', message: 'no such prospect for this client' }]);

    const bulk = await api()
      .post('/api/scans/bulk')
      .set(adminAuth)
      .send({
        scans: [
          { url: p.url, clientId: globex, prospectId: 'crm-single' },
          { url: p.url, clientId: acme, prospectId: 'crm-single' },
        ],
      })
      .expect(202);
    expect(bulk.body).toMatchObject({ accepted: 1, rejected: [{ index: 0, reason: 'prospectId: no such prospect for this client' }] });
    await eventually(async () => {
      const [scan] = await stack.prisma.scan.findMany({ where: { bulkId: bulk.body.bulkId } });
      return scan?.status === 'completed' ? scan : undefined;
    }).then((scan) => expect(scan).toMatchObject({ prospectId: p.id, clientId: acme }));
  });

  it('refuses a client key naming another client (403), before anything is submitted', async () => {
    const res = await api()
      .post('/api/scans/bulk')
      .set(bearer(acmeKey))
      .send({ prospectIds: ['prospect-123'], clientId: globex })
      .expect(403);
    expect(res.body.message).toBe('this key can only scan its own prospects');
  });
});
