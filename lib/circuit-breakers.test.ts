import { afterHostFailure, perClientFailureCap, type FailureStreak } from './circuit-breakers';

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
    expect(afterHostFailure({ state: 'open', failures: 5, clients: { a: 3, b: 2 } }, 'c', cfg)).toMatchObject({ state: 'open', opens: false, failures: 6 });
  });
});
