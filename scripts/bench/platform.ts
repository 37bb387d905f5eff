// Driving the in-process platform through its HTTP API: bulk submit, wait until every item is terminal, then read
// the per-scan timestamps and violations from Postgres.
import type { PrismaClient } from '../../lib/prisma';
import type { InProcessPipeline } from '../conformance/in-process';

export interface Api {
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  get(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
}

export function apiOf(pl: Pick<InProcessPipeline, 'baseUrl' | 'apiKey'>): Api {
  const headers = { Authorization: `Bearer ${pl.apiKey}`, 'Content-Type': 'application/json' };
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${pl.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(60_000),
    });
    const text = await res.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed };
  };
  return { post: (p, b) => call('POST', p, b), get: (p) => call('GET', p) };
}

export interface BulkProgress {
  total: number;
  completed: number;
  failed: number;
  cancelled: number;
  done: boolean;
  status: string;
}

export async function submitBulk(
  api: Api,
  urls: readonly string[],
  opts: { clientId: string; maxRetries?: number; queue?: 'high' | 'low' },
): Promise<string> {
  const res = await api.post('/api/scans/bulk', {
    clientId: opts.clientId,
    queue: opts.queue ?? 'high',
    ...(opts.maxRetries !== undefined && { maxRetries: opts.maxRetries }),
    scans: urls.map((url) => ({ url })),
  });
  if (res.status !== 202) throw new Error(`bulk submit answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
  const rejected = (res.body.rejected as unknown[]) ?? [];
  if (rejected.length) throw new Error(`bulk submit rejected ${rejected.length} items: ${JSON.stringify(rejected[0])}`);
  return res.body.bulkId as string;
}

export async function bulkProgress(api: Api, bulkId: string): Promise<BulkProgress> {
  const res = await api.get(`/api/scans/bulk/${bulkId}?limit=1`);
  if (res.status !== 200) throw new Error(`bulk progress answered ${res.status}`);
  return res.body as unknown as BulkProgress;
}

/** Polls until the bulk is done; throws after `timeoutMs` (benchmarks stop themselves). */
export async function waitForBulk(
  api: Api,
  bulkId: string,
  timeoutMs: number,
  onProgress?: (p: BulkProgress) => void,
  intervalMs = 500,
): Promise<BulkProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const p = await bulkProgress(api, bulkId);
    onProgress?.(p);
    if (p.done) return p;
    if (Date.now() > deadline)
      throw new Error(
        `bulk ${bulkId} not done within ${Math.round(timeoutMs / 1000)} s (${p.completed + p.failed + p.cancelled}/${p.total})`,
      );
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export async function cancelBulk(api: Api, bulkId: string, timeoutMs = 120_000): Promise<void> {
  const res = await api.post(`/api/scans/bulk/${bulkId}/cancel`, {});
  if (res.status !== 202 && res.status !== 409) throw new Error(`bulk cancel answered ${res.status}`);
  await waitForBulk(api, bulkId, timeoutMs);
}

export interface ScanRow {
  id: string;
  url: string;
  status: string;
  attempts: number;
  failureReason: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  violations: string[];
}

/** Every scan of a bulk with its violated rules. */
export async function bulkScans(prisma: PrismaClient, bulkId: string): Promise<ScanRow[]> {
  const scans = await prisma.scan.findMany({
    where: { bulkId },
    select: { id: true, url: true, status: true, attempts: true, failureReason: true, createdAt: true, startedAt: true, finishedAt: true },
  });
  const rules = await prisma.scanViolation.findMany({
    where: { scanId: { in: scans.map((s) => s.id) }, kind: 'violation' },
    select: { scanId: true, ruleId: true },
  });
  const by = new Map<string, string[]>();
  for (const r of rules) by.set(r.scanId, [...(by.get(r.scanId) ?? []), r.ruleId]);
  return scans.map((s) => ({ ...s, violations: by.get(s.id) ?? [] }));
}
