/** The maintenance database URL the tests create their databases from (the role needs CREATEDB). */
export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://wcag:wcag@127.0.0.1:5432/postgres';
}

export function withDatabase(url: string, dbName: string): string {
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  return u.toString();
}

/**
 * Drops a test database even if a connection was left open (FORCE). FORCE cannot end an autovacuum worker that
 * happens to be in the fresh database (it belongs to no role ours may signal), so that refusal is waited out.
 */
export async function dropTestDatabase(admin: { query(sql: string): Promise<unknown> }, dbName: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
      return;
    } catch (err) {
      if (attempt >= 20 || !/pg_signal_backend|being accessed by other users/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
