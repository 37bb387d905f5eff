/** The maintenance database URL the tests create their databases from (the role needs CREATEDB). */
export function adminDatabaseUrl(): string {
  return process.env.TEST_DATABASE_ADMIN_URL ?? 'postgresql://wcag:wcag@127.0.0.1:5432/postgres';
}

export function withDatabase(url: string, dbName: string): string {
  const u = new URL(url);
  u.pathname = `/${dbName}`;
  return u.toString();
}
