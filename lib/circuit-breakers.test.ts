import {
  afterHostFailure,
  breakerClientId,
  combinedPermit,
  hostBreakersFor,
  perClientFailureCap,
  rowPermit,
  UNKNOWN_CLIENT,
  type BreakerConfig,
  type FailureStreak,
  type PermitRow,
} from './circuit-breakers';
import { breakerStateCounts } from './metrics';

const cfg = { failureThreshold: 5, minClients: 2 };

/** Feeds failures by the given clients, in order, to a closed breaker; returns the state after each. */
function run(clients: string[], config: { failureThreshold: number; minClients?: number } = cfg): string[] {
  let streak: FailureStreak | null = null;
  return clients.map((c) => (streak = afterHostFailure(streak, c, config)).state);
}

describe('afterHostFailure: one client cannot open a host breaker for everyone', () => {
  it('caps each client at its share of the threshold', () => {
    expect(perClientFailureCap(cfg)).toBe(3);
    expect(perClientFailureCap({ failureThreshold: 5 })).toBe(5);
    expect(perClientFailureCap({ failureThreshold: 1, minClients: 3 })).toBe(1);
  });

  it("never opens on one client's failures alone, however many", () => {
    expect(run(Array(50).fill('a'))).not.toContain('open');
  });

  it('opens once failures from at least two clients reach the threshold, each counting at most its share', () => {
    expect(run(['a', 'a', 'a', 'b', 'b'])).toEqual(['closed', 'closed', 'closed', 'closed', 'open']);
    // a's 10 failures count as 3: b needs 2 of its own.
    expect(run([...Array(10).fill('a'), 'b']).at(-1)).toBe('closed');
    expect(run([...Array(10).fill('a'), 'b', 'b']).at(-1)).toBe('open');
    expect(run(['a', 'b', 'c', 'd', 'e'])).toEqual(['closed', 'closed', 'closed', 'closed', 'open']);
  });

  it('keeps the seed rule with minClients 1 (or unset)', () => {
    expect(run(['a', 'a', 'a', 'a', 'a'], { failureThreshold: 5, minClients: 1 }).at(-1)).toBe('open');
    expect(run(['a', 'a', 'a', 'a', 'a'], { failureThreshold: 5 }).at(-1)).toBe('open');
    expect(run(['a'], { failureThreshold: 1 })).toEqual(['open']);
  });

  it('reopens a half-open breaker on a failed trial and only counts failures while open', () => {
    expect(afterHostFailure({ state: 'half_open', failures: 5, clients: { a: 3, b: 2 } }, 'a', cfg)).toEqual({
      state: 'open',
      failures: 6,
      clients: { a: 4, b: 2 },
      opens: true,
    });
    expect(afterHostFailure({ state: 'open', failures: 5, clients: { a: 3, b: 2 } }, 'c', cfg)).toMatchObject({
      state: 'open',
      opens: false,
      failures: 6,
    });
  });
});

const full: BreakerConfig = { failureThreshold: 5, successThreshold: 2, timeoutMs: 30_000, minClients: 2, minScanBudgetMs: 30_000 };

/** Feeds one client's failures to each breaker its scans answer to; returns the final state of each, by name. */
function failAs(clientId: string, n: number, host = 'Example.com'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const ref of hostBreakersFor(host, clientId, full)) {
    let streak: FailureStreak | null = null;
    for (let i = 0; i < n; i++) streak = afterHostFailure(streak, clientId, ref.cfg);
    out[ref.name] = streak!.state;
  }
  return out;
}

describe("hostBreakersFor: the shared host breaker and the client's own", () => {
  it('names the rows so monitoring can tell them apart, and gives the client its own breaker the seed rule', () => {
    const refs = hostBreakersFor('Example.com', 'acme', full);
    expect(refs.map(({ name, kind }) => ({ name, kind }))).toEqual([
      { name: 'host:example.com', kind: 'host' },
      { name: 'host:example.com#client:acme', kind: 'host_client' },
    ]);
    expect(refs[0].cfg.minClients).toBe(2);
    expect(refs[1].cfg).toEqual({ ...full, minClients: 1 });
  });

  it('has only the shared breaker for a scan without a client id (histories from before clients were passed)', () => {
    for (const clientId of [undefined, null, '', UNKNOWN_CLIENT]) {
      expect(hostBreakersFor('example.com', clientId, full).map((r) => r.name)).toEqual(['host:example.com']);
    }
  });

  it("a single tenant's five consecutive failures open its own breaker (the original requirement), not the shared one", () => {
    expect(failAs('in-house', 4)).toEqual({ 'host:example.com': 'closed', 'host:example.com#client:in-house': 'closed' });
    expect(failAs('in-house', 5)).toEqual({ 'host:example.com': 'closed', 'host:example.com#client:in-house': 'open' });
    expect(failAs('in-house', 50)['host:example.com']).toBe('closed');
  });

  it("finds a client breaker's client id in its name", () => {
    expect(breakerClientId('host:example.com#client:acme')).toBe('acme');
    expect(breakerClientId('host:example.com')).toBeNull();
  });

  it('exports breakers as counts per kind and state, a bounded set of series however many hosts and clients', () => {
    const counts = breakerStateCounts([
      { kind: 'temporal', state: 'closed' },
      { kind: 'host', state: 'closed' },
      { kind: 'host', state: 'open' },
      { kind: 'host_client', state: 'closed' },
      { kind: 'host_client', state: 'open' },
      { kind: 'host_client', state: 'half_open' },
      { kind: 'host_client', state: 'open' },
    ]);
    expect(Object.fromEntries(counts)).toEqual({
      'temporal\nclosed': 1,
      'temporal\nhalf_open': 0,
      'temporal\nopen': 0,
      'host\nclosed': 1,
      'host\nhalf_open': 0,
      'host\nopen': 1,
      'host_client\nclosed': 1,
      'host_client\nhalf_open': 1,
      'host_client\nopen': 2,
    });
  });
});

describe('permits: a scan must pass both breakers', () => {
  const shared = 'host:example.com';
  const own = 'host:example.com#client:acme';
  const names = [shared, own];
  const row = (name: string, over: Partial<PermitRow>): PermitRow => ({
    name,
    state: 'closed',
    probes: 0,
    waitMs: 0,
    stale: false,
    ...over,
  });

  it('decides one row as the seed does: closed yes, open no until its period ends, half-open a bounded number of probes', () => {
    expect(rowPermit(undefined, full)).toEqual({ allowed: true, probe: false });
    expect(rowPermit(row(own, { state: 'closed' }), full)).toEqual({ allowed: true, probe: false });
    expect(rowPermit(row(own, { state: 'open', waitMs: 12_000 }), full)).toEqual({ allowed: false, retryAfterMs: 12_000, state: 'open' });
    expect(rowPermit(row(own, { state: 'open', waitMs: 10 }), full)).toEqual({ allowed: false, retryAfterMs: 1_000, state: 'open' });
    expect(rowPermit(row(own, { state: 'open', waitMs: 0 }), full)).toEqual({ allowed: true, probe: true });
    expect(rowPermit(row(own, { state: 'half_open', probes: 1 }), full)).toEqual({ allowed: true, probe: true });
    expect(rowPermit(row(own, { state: 'half_open', probes: 2 }), full)).toEqual({
      allowed: false,
      retryAfterMs: 5_000,
      state: 'half_open',
    });
    expect(rowPermit(row(own, { state: 'half_open', probes: 2, stale: true }), full)).toEqual({ allowed: true, probe: true });
  });

  it("admits when both are closed or absent; its client's open breaker defers the scan while the shared one is closed", () => {
    expect(combinedPermit(names, [], full)).toEqual({ allowed: true, probe: false, probeNames: [] });
    expect(combinedPermit(names, [row(shared, {}), row(own, { state: 'open', waitMs: 20_000 })], full)).toEqual({
      allowed: false,
      retryAfterMs: 20_000,
      state: 'open',
      breaker: own,
      probeNames: [],
    });
    // Another client's scan of the host answers to the shared breaker and its own, not to acme's.
    expect(
      combinedPermit([shared, 'host:example.com#client:other'], [row(shared, {}), row(own, { state: 'open', waitMs: 20_000 })], full),
    ).toMatchObject({ allowed: true });
  });

  it('defers every client while the shared breaker is open, whatever their own says', () => {
    expect(combinedPermit(names, [row(shared, { state: 'open', waitMs: 9_000 })], full)).toMatchObject({
      allowed: false,
      breaker: shared,
      retryAfterMs: 9_000,
    });
    expect(combinedPermit([shared], [row(shared, { state: 'open', waitMs: 9_000 })], full)).toMatchObject({
      allowed: false,
      breaker: shared,
    });
  });

  it('takes no probe of either breaker when the other refuses, and waits for the longer of two refusals', () => {
    // The shared one would admit a probe, the client's own is still open: refused, and the shared probe is not used.
    expect(combinedPermit(names, [row(shared, { state: 'open', waitMs: 0 }), row(own, { state: 'open', waitMs: 4_000 })], full)).toEqual({
      allowed: false,
      retryAfterMs: 4_000,
      state: 'open',
      breaker: own,
      probeNames: [],
    });
    expect(
      combinedPermit(names, [row(shared, { state: 'half_open', probes: 2 }), row(own, { state: 'open', waitMs: 0 })], full),
    ).toMatchObject({
      allowed: false,
      breaker: shared,
      retryAfterMs: 5_000,
      probeNames: [],
    });
    expect(
      combinedPermit(names, [row(shared, { state: 'open', waitMs: 3_000 }), row(own, { state: 'open', waitMs: 25_000 })], full),
    ).toMatchObject({
      retryAfterMs: 25_000,
      breaker: own,
    });
  });

  it('is a probe of each breaker that admits it as one', () => {
    expect(combinedPermit(names, [row(shared, {}), row(own, { state: 'open', waitMs: 0 })], full)).toEqual({
      allowed: true,
      probe: true,
      probeNames: [own],
    });
    expect(
      combinedPermit(names, [row(shared, { state: 'half_open', probes: 0 }), row(own, { state: 'half_open', probes: 1 })], full),
    ).toEqual({
      allowed: true,
      probe: true,
      probeNames: names,
    });
  });
});
