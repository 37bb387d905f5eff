import request from 'supertest';
import type { Express } from 'express';
import { ADMIN_KEY, eventually } from './stack';

export const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
export const adminAuth = bearer(ADMIN_KEY);
export const TERMINAL_STATUSES = ['completed', 'failed', 'cancelled'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ScanView = Record<string, any>;

/** POST /api/scans as the admin; returns the scan id. */
export async function submitScan(app: Express, body: Record<string, unknown>): Promise<string> {
  const res = await request(app)
    .post('/api/scans')
    .set(adminAuth)
    .send({ clientId: 'tests', ...body })
    .expect(202);
  return res.body.scanId as string;
}

/** Polls GET /api/scans/:id until the scan is terminal. */
export function waitForTerminal(app: Express, scanId: string, timeoutMs = 120_000): Promise<ScanView> {
  return eventually(async () => {
    const r = await request(app).get(`/api/scans/${scanId}`).set(adminAuth);
    return TERMINAL_STATUSES.includes(r.body.status) ? (r.body as ScanView) : undefined;
  }, timeoutMs);
}

/** Submits and waits: the whole life of one scan. */
export async function scanToEnd(app: Express, body: Record<string, unknown>): Promise<ScanView> {
  return waitForTerminal(app, await submitScan(app, body));
}

/** A new API key for `clientId`, made as the admin through POST /api/keys. */
export async function createClientKey(app: Express | { app: Express }, clientId: string): Promise<{ id: string; key: string }> {
  const res = await request(typeof app === 'function' ? app : app.app)
    .post('/api/keys')
    .set(adminAuth)
    .send({ clientId })
    .expect(201);
  return res.body as { id: string; key: string };
}

/** The Bearer header of a new API key for `clientId`. */
export async function clientAuth(app: Express | { app: Express }, clientId: string): Promise<{ Authorization: string }> {
  return bearer((await createClientKey(app, clientId)).key);
}
