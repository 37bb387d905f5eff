// HTTP hardening (issue 13): no session token or key in the logs, TRUST_PROXY and Secure cookies, throttled
// unauthenticated health paths and a cached /readyz, Web UI sessions bound to the key that opened them.
// Every case runs the real app (createApp) over HTTP against the test database and Temporal dev server.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { Client } from '@temporalio/client';
import pino from 'pino';
import request from 'supertest';
import { createApp } from '../../api/app';
import { withContractCheck } from '../support/contract-recorder';
import { createLogger, type Logger } from '../../lib/logger';
import type { PrismaClient } from '../../lib/prisma';
import { urlPolicyFrom } from '../../targets/url-policy';
import { adminAuth, clientAuth, createClientKey } from '../support/scan-client';
import { ADMIN_KEY, testEnv, useStack } from '../support/stack';

type App = ReturnType<typeof createApp>;

describe('HTTP hardening', () => {
  const stack = useStack({ workers: false });

  /** A fresh app (its own abuse-limit buckets) on the stack's database and Temporal client. */
  function appWith(
    opts: { env?: Record<string, string>; adminKey?: string; logger?: Logger; prisma?: PrismaClient; temporal?: Client } = {},
  ): App {
    const env = testEnv({ ...(opts.adminKey && { ADMIN_API_KEY: opts.adminKey }), ...opts.env });
    return withContractCheck(
      createApp({
        env,
        adminKey: opts.adminKey ?? ADMIN_KEY,
        prisma: opts.prisma ?? stack().prisma,
        temporal: opts.temporal ?? stack().client,
        logger: opts.logger ?? pino({ level: 'silent' }),
        urlPolicy: urlPolicyFrom(env),
        taskQueuePrefix: stack().prefix,
      }),
    );
  }

  const setCookies = (res: request.Response): string[] => {
    const h = res.headers['set-cookie'] as unknown;
    return Array.isArray(h) ? (h as string[]) : typeof h === 'string' ? [h] : [];
  };
  const cookieOf = (res: request.Response, name: string): string | undefined => {
    const line = setCookies(res).find((c) => c.startsWith(`${name}=`));
    return line ? decodeURIComponent(line.slice(name.length + 1).split(';')[0]) : undefined;
  };

  /** GET /login then POST /login with its CSRF token; returns the response and the session token. */
  async function signIn(app: App, key: string, headers: Record<string, string> = {}) {
    const form = await request(app).get('/login').set(headers).expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1];
    const res = await request(app)
      .post('/login')
      .set(headers)
      .set('Cookie', `wcag_login_csrf=${encodeURIComponent(cookieOf(form, 'wcag_login_csrf')!)}`)
      .type('form')
      .send({ apiKey: key, _csrf: csrf, next: '/' });
    return { form, res, session: cookieOf(res, 'wcag_session') };
  }

  /** Where `/` sends a browser with this session cookie: /dashboard (admin), 200 (client) or /login (no session). */
  function home(app: App, session: string) {
    return request(app)
      .get('/')
      .set('Accept', 'text/html')
      .set('Cookie', `wcag_session=${encodeURIComponent(session)}`);
  }

  describe('finding 2: no session token or API key in the logs', () => {
    function capture(): { stream: Writable; text: () => string } {
      const chunks: string[] = [];
      const stream = new Writable({
        write(chunk: Buffer, _enc, cb) {
          chunks.push(chunk.toString());
          cb();
        },
      });
      return { stream, text: () => chunks.join('') };
    }

    it('logs sign-ins and API calls at info without Set-Cookie, Cookie or Authorization values', async () => {
      const env = testEnv({ LOG_LEVEL: 'info' });
      // A bare pino logger (the request logger alone must not write headers whatever logger it is given), then the
      // process logger exactly as api/main.ts builds it (with its redaction paths).
      for (const make of [(s: Writable) => pino({ level: 'info' }, s), (s: Writable) => createLogger(env, 'api', s)]) {
        const out = capture();
        const app = appWith({ logger: make(out.stream) });
        const { key } = await createClientKey(stack(), `logs-${Date.now()}`);

        const admin = await signIn(app, ADMIN_KEY);
        expect(admin.res.status).toBe(303);
        expect(admin.session).toBeTruthy();
        const client = await signIn(app, key);
        expect(client.session).toBeTruthy();
        await home(app, client.session!).expect(200);
        await request(app).get('/api/scans?limit=1').set('Authorization', `Bearer ${key}`).expect(200);
        await request(app).get('/api/keys').set(adminAuth).expect(200);
        await request(app).post('/login').type('form').send({ apiKey: 'wcag_not-a-real-key', _csrf: 'x' });

        const text = out.text();
        // Not vacuous: the requests were logged.
        expect(text).toContain('"url":"/login"');
        expect(text).toContain('"statusCode":303');
        for (const secret of [admin.session!, client.session!, key, ADMIN_KEY, cookieOf(admin.form, 'wcag_login_csrf')!]) {
          expect(text).not.toContain(secret);
          expect(text).not.toContain(encodeURIComponent(secret));
        }
        expect(text.toLowerCase()).not.toContain('set-cookie');
        expect(text).not.toContain('wcag_session=');
      }
    });
  });

  describe('finding 4: TRUST_PROXY and Secure cookies', () => {
    const badLogin = (app: App, forwardedFor: string) =>
      request(app).post('/login').set('X-Forwarded-For', forwardedFor).type('form').send({ apiKey: 'wrong', _csrf: 'x' });

    it('throttles sign-ins per forwarded client address behind trusted proxies', async () => {
      // A proxy in a container network (10.x) in front of a local one (loopback), as behind a TLS terminator.
      const app = appWith({ env: { TRUST_PROXY: 'loopback, 10.0.0.0/8' } });
      for (let i = 0; i < 10; i++) expect((await badLogin(app, '203.0.113.7, 10.1.2.3')).status).toBe(403);
      expect((await badLogin(app, '203.0.113.7, 10.1.2.3')).status).toBe(429);
      // Another user behind the same proxies is not locked out.
      expect((await badLogin(app, '198.51.100.20, 10.1.2.3')).status).toBe(403);
    });

    it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
      // supertest connects from 127.0.0.1, which this TRUST_PROXY does not cover.
      const app = appWith({ env: { TRUST_PROXY: '10.0.0.0/8' } });
      for (let i = 0; i < 10; i++) expect((await badLogin(app, `203.0.113.${i + 1}`)).status).toBe(403);
      expect((await badLogin(app, '198.51.100.20')).status).toBe(429);
    });

    it('counts the per-IP API limit per forwarded address', async () => {
      const app = appWith({ env: { TRUST_PROXY: '127.0.0.1/32', API_RATE_LIMIT_PER_IP: '3' } });
      const get = (ip: string) => request(app).get('/api/scans').set('X-Forwarded-For', ip);
      for (let i = 0; i < 3; i++) expect((await get('203.0.113.7')).status).toBe(401);
      expect((await get('203.0.113.7')).status).toBe(429);
      expect((await get('198.51.100.20')).status).toBe(401);
    });

    it('marks the Web UI cookies Secure in production, even over plain HTTP', async () => {
      const app = appWith({ env: { NODE_ENV: 'production' } });
      const { form, res } = await signIn(app, ADMIN_KEY);
      expect(res.status).toBe(303);
      const csrfCookie = setCookies(form).find((c) => c.startsWith('wcag_login_csrf='));
      const sessionCookie = setCookies(res).find((c) => c.startsWith('wcag_session='));
      for (const c of [csrfCookie, sessionCookie]) {
        expect(c).toBeDefined();
        expect(c).toMatch(/;\s*Secure/i);
        expect(c).toMatch(/;\s*HttpOnly/i);
        expect(c).toMatch(/;\s*SameSite=Strict/i);
      }
      // Development over plain HTTP: not Secure (a browser would drop it on http://host:3001).
      const dev = await signIn(appWith(), ADMIN_KEY);
      expect(setCookies(dev.res).find((c) => c.startsWith('wcag_session='))).not.toMatch(/;\s*Secure/i);
    });

    it('refuses an invalid TRUST_PROXY at startup, naming the variable', () => {
      expect(() => testEnv({ TRUST_PROXY: 'loopback,10.0.0.0/33' })).toThrow(/TRUST_PROXY: "10.0.0.0\/33": the prefix length/);
      expect(() => testEnv({ TRUST_PROXY: 'true' })).toThrow(/TRUST_PROXY: "true" is not an IP address/);
      expect(testEnv({}).TRUST_PROXY).toBe('loopback');
    });
  });

  describe('finding 8: unauthenticated health paths are throttled, /readyz is cached', () => {
    it('throttles unauthenticated requests to /api/monitoring/health and /queue/health per IP; the admin stays exempt', async () => {
      const app = appWith({ env: { API_RATE_LIMIT_PER_IP: '5' } });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await request(app).get('/api/monitoring/health')).status);
      for (let i = 0; i < 4; i++) {
        statuses.push((await request(app).get('/api/monitoring/queue/health').set('Authorization', `Bearer wcag_guess${i}`)).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
      // The operator's probes still answer although this address has no tokens left.
      expect([200, 503]).toContain((await request(app).get('/api/monitoring/health').set(adminAuth)).status);
      expect((await request(app).get('/api/monitoring/queue/health').set(adminAuth)).status).toBe(200);
      // ... but only those: other admin requests from this address are limited as before.
      expect((await request(app).get('/api/keys').set(adminAuth)).status).toBe(429);
    });

    it('answers many /readyz requests within a second with one database and one Temporal check', async () => {
      let selects = 0;
      let systemInfo = 0;
      const prisma = new Proxy(stack().prisma, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (prop === '$queryRaw' && typeof value === 'function') {
            return (...args: unknown[]) => {
              selects++;
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          return value;
        },
      });
      const service = stack().client.workflowService;
      const workflowService = new Proxy(service, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver) as unknown;
          if (prop === 'getSystemInfo' && typeof value === 'function') {
            return (...args: unknown[]) => {
              systemInfo++;
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          }
          return value;
        },
      });
      const temporal = new Proxy(stack().client, {
        get: (target, prop, receiver) => (prop === 'workflowService' ? workflowService : Reflect.get(target, prop, receiver)),
      });
      const app = appWith({ prisma, temporal });

      const burst = await Promise.all(Array.from({ length: 25 }, () => request(app).get('/readyz')));
      expect(burst.map((r) => r.status)).toEqual(Array(25).fill(200));
      expect(burst[0].body).toEqual({ status: 'ready', checks: { database: 'ok', temporal: 'ok' } });
      for (let i = 0; i < 10; i++) await request(app).get('/readyz').expect(200);
      expect(selects).toBe(1);
      expect(systemInfo).toBe(1);

      // About a second later the next request checks again.
      await new Promise((r) => setTimeout(r, 1_200));
      await request(app).get('/readyz').expect(200);
      expect(selects).toBe(2);
      expect(systemInfo).toBe(2);
    });
  });

  describe('finding 11: Web UI sessions are bound to the key that opened them', () => {
    const KEY_B = 'rotated-admin-key-fedcba9876543210';

    it('refuses an admin session after the admin key changes', async () => {
      const appA = appWith();
      const { session } = await signIn(appA, ADMIN_KEY);
      expect(session).toBeTruthy();
      expect((await home(appA, session!)).headers.location).toBe('/dashboard');

      // "Restart" with ADMIN_API_KEY=B on the same database: the old cookie no longer signs anyone in.
      const appB = appWith({ adminKey: KEY_B });
      const refused = await home(appB, session!);
      expect(refused.status).toBe(303);
      expect(refused.headers.location).toBe('/login?next=%2F');
      await request(appB)
        .get('/dashboard')
        .set('Accept', 'application/json')
        .set('Cookie', `wcag_session=${encodeURIComponent(session!)}`)
        .expect(401);
      // A session opened with B works on B.
      const withB = await signIn(appB, KEY_B);
      expect((await home(appB, withB.session!)).headers.location).toBe('/dashboard');
      // and not on an instance that still has A.
      expect((await home(appA, withB.session!)).headers.location).toBe('/login?next=%2F');
    });

    it('refuses a client session once its key is revoked', async () => {
      const app = appWith();
      const { id, key } = await createClientKey(stack(), `bound-${Date.now()}`);
      const { session } = await signIn(app, key);
      await home(app, session!).expect(200);
      await request(stack().app)
        .delete(`/api/keys/${id}`)
        .set(adminAuth)
        .expect((r) => expect(r.status).toBeLessThan(300));
      const refused = await home(app, session!);
      expect(refused.status).toBe(303);
      expect(refused.headers.location).toBe('/login?next=%2F');
    });

    it('refuses sessions stored without a key binding (opened before the upgrade)', async () => {
      const app = appWith();
      const { session } = await signIn(app, ADMIN_KEY);
      const tokenHash = createHash('sha256').update(session!).digest('hex');
      await stack().prisma.$executeRaw`UPDATE ui_sessions SET key_fingerprint = NULL WHERE token_hash = ${tokenHash}`;
      expect((await home(app, session!)).headers.location).toBe('/login?next=%2F');
    });
  });

  describe('issue 15: security headers through helmet', () => {
    const API_CSP = "default-src 'none';frame-ancestors 'none'";
    const PAGE_CSP =
      "default-src 'none';style-src 'self';script-src 'self';img-src 'self';connect-src 'self';form-action 'self';frame-ancestors 'none';base-uri 'none'";

    /** The headers every response has, whatever the mode. */
    function expectCommonHeaders(res: request.Response) {
      expect(res.headers).toMatchObject({
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
        'cross-origin-opener-policy': 'same-origin',
        'cache-control': 'no-store',
      });
      expect(res.headers).not.toHaveProperty('x-powered-by');
    }

    it('sends the API CSP and no HSTS outside production, on the API, its errors and the probes', async () => {
      const app = appWith();
      for (const res of [
        await request(app).get('/api/keys').set(adminAuth).expect(200),
        await request(app).get('/api/keys').expect(401),
        await request(app).get('/healthz').expect(200),
      ]) {
        expectCommonHeaders(res);
        expect(res.headers['content-security-policy']).toBe(API_CSP);
        expect(res.headers).not.toHaveProperty('strict-transport-security');
      }
    });

    it('gives the Web UI pages their own CSP, with the same other headers', async () => {
      const app = appWith();
      const page = await request(app).get('/login').expect(200);
      expectCommonHeaders(page);
      expect(page.headers['content-security-policy']).toBe(PAGE_CSP);
      expect(page.headers).not.toHaveProperty('strict-transport-security');
    });

    it('adds HSTS in production (NODE_ENV=production), to the API and the Web UI alike', async () => {
      const app = appWith({ env: { NODE_ENV: 'production' } });
      const api = await request(app).get('/api/keys').set(adminAuth).expect(200);
      const page = await request(app).get('/login').expect(200);
      for (const res of [api, page]) {
        expectCommonHeaders(res);
        expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
      }
      expect(api.headers['content-security-policy']).toBe(API_CSP);
      expect(page.headers['content-security-policy']).toBe(PAGE_CSP);
    });
  });

  describe('issue 15: RateLimit-* and Retry-After on limited responses', () => {
    const fields = (res: request.Response) => ({
      limit: res.headers['ratelimit-limit'],
      remaining: res.headers['ratelimit-remaining'],
      reset: res.headers['ratelimit-reset'],
      policy: res.headers['ratelimit-policy'],
    });

    it('describes the per-address and per-key buckets on every API response, and refuses with Retry-After', async () => {
      const app = appWith({ env: { API_RATE_LIMIT_PER_IP: '3', API_RATE_LIMIT_PER_KEY: '100' } });
      const first = await request(app).get('/api/keys').set(adminAuth).expect(200);
      // The address bucket is the one nearer exhaustion: it is the one described; both policies are listed.
      expect(fields(first)).toEqual({ limit: '3', remaining: '2', reset: expect.stringMatching(/^\d+$/), policy: '3;w=60, 100;w=60' });
      expect(Number(first.headers['ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(first.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
      await request(app).get('/api/keys').set(adminAuth).expect(200);
      const last = await request(app).get('/api/keys').set(adminAuth).expect(200);
      expect(last.headers['ratelimit-remaining']).toBe('0');
      const refused = await request(app).get('/api/keys').set(adminAuth).expect(429);
      expect(fields(refused)).toMatchObject({ limit: '3', remaining: '0', policy: '3;w=60' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(Number(refused.headers['ratelimit-reset']));
      // Unauthenticated requests are counted (and described) by address too.
      const other = appWith({ env: { API_RATE_LIMIT_PER_IP: '3' } });
      const anon = await request(other).get('/api/keys').expect(401);
      expect(fields(anon)).toMatchObject({ limit: '3', remaining: '2', policy: '3;w=60' });
    });

    it('describes the hourly scan quota on a charged submission and on its 429', async () => {
      const app = appWith({ env: { MAX_SCANS_PER_HOUR: '2' } });
      const auth = await clientAuth(app, `quota-headers-${Date.now()}`);
      const accepted = await request(app).post('/api/scans').set(auth).send({ url: 'http://127.0.0.1:9/a' }).expect(202);
      expect(fields(accepted)).toMatchObject({ limit: '2', remaining: '1', policy: '2;w=3600' });
      const reset = Number(accepted.headers['ratelimit-reset']);
      expect(reset).toBeGreaterThan(0);
      expect(reset).toBeLessThanOrEqual(3600);
      await request(app).post('/api/scans').set(auth).send({ url: 'http://127.0.0.1:9/b' }).expect(202);
      const refused = await request(app).post('/api/scans').set(auth).send({ url: 'http://127.0.0.1:9/c' }).expect(429);
      expect(refused.body.error).toBe('rate_limited');
      expect(fields(refused)).toMatchObject({ limit: '2', remaining: '0', policy: '2;w=3600' });
      expect(refused.headers['retry-after']).toBe(refused.headers['ratelimit-reset']);
      // The operator is exempt from the quota: no quota fields (no bucket is configured here either).
      const admin = await request(app)
        .post('/api/scans')
        .set(adminAuth)
        .send({ url: 'http://127.0.0.1:9/d', clientId: 'quota-admin' })
        .expect(202);
      expect(admin.headers).not.toHaveProperty('ratelimit-limit');
    });

    it('throttles sign-ins with RateLimit fields and Retry-After', async () => {
      const app = appWith({ env: { UI_LOGIN_RATE_LIMIT_PER_IP: '2' } });
      const bad = () => request(app).post('/login').type('form').send({ apiKey: 'wrong', _csrf: 'x' });
      expect(fields(await bad())).toMatchObject({ limit: '2', remaining: '1', policy: '2;w=60' });
      await bad();
      const refused = await bad();
      expect(refused.status).toBe(429);
      expect(fields(refused)).toMatchObject({ limit: '2', remaining: '0' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });

    it('sends Retry-After with a /readyz 503', async () => {
      const prisma = new Proxy(stack().prisma, {
        get(target, prop, receiver) {
          if (prop === '$queryRaw') return () => Promise.reject(new Error('database down'));
          return Reflect.get(target, prop, receiver) as unknown;
        },
      });
      const res = await request(appWith({ prisma })).get('/readyz').expect(503);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    });
  });
});
