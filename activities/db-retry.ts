// A scan's result must survive a database outage: the page work is done, so wait for Postgres rather than
// throw the result away and scan again.

const CONNECTION_ERROR =
  /P1001|P1002|P1008|P1017|P2024|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|Connection terminated|connection (was )?closed|Can't reach database|DatabaseNotReachable|terminating connection|57P01|57P03|server closed the connection|timeout exceeded when trying to connect/i;

/** True for errors that mean "Postgres is unreachable right now", not "this write is wrong". */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown };
  const text = `${String(e?.name ?? '')} ${String(e?.code ?? '')} ${String(e?.message ?? '')}`;
  if (CONNECTION_ERROR.test(text)) return true;
  return e?.cause !== undefined && e.cause !== err ? isDatabaseUnavailable(e.cause) : false;
}

/**
 * Runs `fn`, retrying while the database is unavailable (0.5 s doubling to 5 s) until `deadline`; calls `onWait`
 * between tries so the activity keeps heartbeating. Any other error, or the deadline, is thrown.
 */
export async function retryWhileDatabaseUnavailable<T>(
  fn: () => Promise<T>,
  deadline: number,
  onWait: () => void = () => undefined,
): Promise<T> {
  let delay = 500;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (!isDatabaseUnavailable(err) || Date.now() + delay > deadline) throw err;
      onWait();
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}
