// Applies prisma/migrations without the Prisma CLI: its native schema engine cannot be
// downloaded on every machine, while `pg` always works. Usage: tsx scripts/migrate.ts
import 'dotenv/config';
import path from 'node:path';
import { applyMigrations, ensureDatabase } from '../lib/migrator';

const DEFAULT_DATABASE_URL = 'postgresql://wcag:wcag@127.0.0.1:5432/wcag';
const MIGRATIONS_DIR = path.resolve(__dirname, '..', 'prisma', 'migrations');

// Credentials must not reach CI logs through error messages or the summary line.
function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '<invalid DATABASE_URL>';
  }
}

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  await ensureDatabase(databaseUrl);
  const { applied, alreadyApplied } = await applyMigrations(databaseUrl, MIGRATIONS_DIR, (msg, meta) => {
    // Progress goes to stderr so stdout stays the plain list of applied migrations plus the summary.
    process.stderr.write(`migrate: ${msg}${meta ? ` ${JSON.stringify(meta)}` : ''}\n`);
  });
  for (const name of applied) process.stdout.write(`applied ${name}\n`);
  process.stdout.write(`${applied.length} migration(s) applied, ${alreadyApplied.length} already applied (${redact(databaseUrl)})\n`);
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  const url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL;
  process.stderr.write(
    `migrate failed: ${message
      .split(url)
      .join(redact(url))
      .replace(/\s*\n\s*/g, ' ')}\n`,
  );
  // exitCode rather than exit(): lets stderr flush, and every client is already closed.
  process.exitCode = 1;
});
