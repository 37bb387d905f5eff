import { isDatabaseUnavailable, retryWhileDatabaseUnavailable } from './db-retry';

const err = (message: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(message), extra);

describe('isDatabaseUnavailable', () => {
  it.each([
    ['a refused connection', err('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED' })],
    ['Prisma P1001', err("\nInvalid `prisma.scan.update()` invocation:\n\nCan't reach database server", { code: 'P1001' })],
    ['an admin shutdown', err('terminating connection due to administrator command', { code: '57P01' })],
    ['a wrapped cause', err('driver adapter error', { cause: err('Connection terminated unexpectedly') })],
  ])('recognises %s', (_name, e) => expect(isDatabaseUnavailable(e)).toBe(true));

  it.each([
    ['a unique violation', err('Unique constraint failed', { code: 'P2002' })],
    ['a missing row', err('Record to update not found.', { code: 'P2025' })],
    ['a plain bug', new TypeError('x is not a function')],
  ])('does not retry %s', (_name, e) => expect(isDatabaseUnavailable(e)).toBe(false));
});

describe('retryWhileDatabaseUnavailable', () => {
  it('retries through an outage and returns the result, signalling each wait', async () => {
    let calls = 0;
    const waits: number[] = [];
    const result = await retryWhileDatabaseUnavailable(
      async () => {
        calls++;
        if (calls < 3) throw err('connect ECONNREFUSED', { code: 'ECONNREFUSED' });
        return 'saved';
      },
      Date.now() + 10_000,
      () => waits.push(calls),
    );
    expect(result).toBe('saved');
    expect(waits).toEqual([1, 2]);
  });

  it('throws other errors at once', async () => {
    let calls = 0;
    await expect(
      retryWhileDatabaseUnavailable(async () => {
        calls++;
        throw err('Unique constraint failed', { code: 'P2002' });
      }, Date.now() + 10_000),
    ).rejects.toThrow('Unique constraint failed');
    expect(calls).toBe(1);
  });

  it('gives up at the deadline', async () => {
    await expect(
      retryWhileDatabaseUnavailable(async () => {
        throw err('connect ECONNREFUSED', { code: 'ECONNREFUSED' });
      }, Date.now() + 100),
    ).rejects.toThrow('ECONNREFUSED');
  });
});
