import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { Prisma, type PrismaClient } from '../../lib/prisma';
import { HttpError, invalidField } from '../http-errors';
import { principalOf } from './auth';

export interface IdempotencyOptions {
  /** How long a key is remembered; older rows are ignored and replaced. */
  ttlMs?: number;
  /** How long a request waits for an identical one that is still running before answering 409. */
  waitMs?: number;
  /** A claim older than this whose request never finished (its process died) may be taken over. */
  staleMs?: number;
}

const HEADER = 'Idempotency-Key';
const KEY = /^[\x20-\x7e]{1,200}$/;
/** `status` of a row whose request is still running: the placeholder that claims the key. */
const IN_PROGRESS = 0;
const POLL_MS = 100;
// Expired rows are removed now and then by the requests themselves, so the table stays small without a cron.
const SWEEP_PROBABILITY = 0.01;

/** What is stored and replayed: the JSON body (none for an empty response) and the Location header. */
interface StoredResponse {
  body?: unknown;
  location?: string;
}

/** JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** sha256 over method, path, query and body: what makes two submissions "the same request". */
export function requestHash(req: Pick<Request, 'method' | 'baseUrl' | 'path' | 'query' | 'body'>): string {
  return createHash('sha256')
    .update(`${req.method} ${req.baseUrl}${req.path}\n${canonicalJson(req.query)}\n${canonicalJson(req.body)}`)
    .digest('hex');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * `Idempotency-Key` for POST routes: the first request with a key runs and its 2xx JSON response is stored; a retry
 * with the same key and the same request gets that response again (`Idempotent-Replayed: true`) instead of a second
 * submission. The key is claimed by inserting a placeholder row before the handler runs, so of two concurrent
 * identical requests exactly one runs: the other waits for its answer and replays it, or gets 409
 * `idempotency_in_progress`. A non-2xx answer frees the key, so a corrected retry can use it. Keys are per
 * principal (the admin, or one client) and expire after 24 h. Mount it after authentication.
 */
export function idempotent(prisma: PrismaClient, opts: IdempotencyOptions = {}): RequestHandler {
  const ttlMs = opts.ttlMs ?? 24 * 60 * 60 * 1000;
  const waitMs = opts.waitMs ?? 5_000;
  const staleMs = opts.staleMs ?? 2 * 60 * 1000;

  return async (req, res, next) => {
    const key = req.get(HEADER);
    if (key === undefined) return next();
    if (!KEY.test(key)) throw invalidField(HEADER, 'must be 1-200 printable ASCII characters', {}, { flat: true });

    const p = principalOf(res);
    // Prefixed, so a client whose id is "admin" cannot share the admin's keys.
    const principal = p.kind === 'admin' ? 'admin' : `client:${p.clientId}`;
    const hash = requestHash(req);
    const id = { principal_key: { principal, key } };

    const claimed = await claim(prisma, principal, key, hash, ttlMs, staleMs, waitMs);
    if (claimed !== 'claimed') return replay(res, claimed);

    if (Math.random() < SWEEP_PROBABILITY) {
      prisma.idempotencyKey.deleteMany({ where: { createdAt: { lt: new Date(Date.now() - ttlMs) } } }).catch(() => undefined);
    }

    let settled = false;
    /** Stores a 2xx answer for replay; frees the key after anything else, so a corrected retry can use it. */
    const settle = (status: number, stored: StoredResponse): Promise<void> => {
      settled = true;
      const free = () => prisma.idempotencyKey.deleteMany({ where: { principal, key, status: IN_PROGRESS } });
      const done =
        status >= 200 && status < 300
          ? prisma.idempotencyKey.update({ where: id, data: { status, response: stored as unknown as Prisma.InputJsonValue } }).catch(free)
          : free();
      return done.then(
        () => undefined,
        () => undefined,
      );
    };

    // The answer is recorded before it leaves, so a retry never finds the key free or unanswered after a response.
    // Nothing is released when the client disconnects early: the handler still runs to the end and its answer is
    // stored, which is exactly what the client's retry needs.
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      if (settled) return send(body);
      const location = res.get('Location');
      // Stored as the client received it (Dates as ISO strings); a replay has the same values (jsonb may reorder keys).
      const stored: StoredResponse = { body: JSON.parse(JSON.stringify(body ?? null)), ...(location && { location }) };
      void settle(res.statusCode, stored).then(() => send(body));
      return res;
    };
    // A response sent without res.json (an empty 204, say) is recorded once it has gone.
    res.once('finish', () => {
      if (!settled) void settle(res.statusCode, {});
    });
    next();
  };
}

type ClaimResult = 'claimed' | { status: number; response: StoredResponse };

/** Takes the key for this request, or returns the stored response of an identical earlier one. */
async function claim(
  prisma: PrismaClient,
  principal: string,
  key: string,
  hash: string,
  ttlMs: number,
  staleMs: number,
  waitMs: number,
): Promise<ClaimResult> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      await prisma.idempotencyKey.create({ data: { principal, key, requestHash: hash, status: IN_PROGRESS, response: {} } });
      return 'claimed';
    } catch (err) {
      if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
    }
    // The primary key is taken: by an identical request (replay, or wait for it) or by a different one (422).
    const row = await prisma.idempotencyKey.findUnique({ where: { principal_key: { principal, key } } });
    const age = row ? Date.now() - row.createdAt.getTime() : 0;
    if (row && (age > ttlMs || (row.status === IN_PROGRESS && age > staleMs))) {
      // Forgotten after the TTL; or claimed by a request whose process died mid-flight. Only that row is removed
      // (matched by its createdAt), never a fresh claim another request made meanwhile.
      await prisma.idempotencyKey.deleteMany({ where: { principal, key, createdAt: row.createdAt } });
      continue;
    }
    if (row && row.requestHash !== hash) {
      throw new HttpError(422, 'idempotency_key_reused', `this ${HEADER} was already used for a different request`);
    }
    if (row && row.status !== IN_PROGRESS) return { status: row.status, response: row.response as unknown as StoredResponse };
    if (Date.now() >= deadline) {
      throw new HttpError(
        409,
        'idempotency_in_progress',
        `a request with this ${HEADER} is still being processed; retry shortly`,
        undefined,
        {
          'Retry-After': '1',
        },
      );
    }
    // Still running (or just freed by a failed first attempt: then the next insert claims it).
    if (row) await sleep(POLL_MS);
  }
}

function replay(res: Response, stored: { status: number; response: StoredResponse }): void {
  res.set('Idempotent-Replayed', 'true');
  if (stored.response.location) res.location(stored.response.location);
  if ('body' in stored.response) res.status(stored.status).json(stored.response.body);
  else res.status(stored.status).end();
}
