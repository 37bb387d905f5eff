// Compares every scan in Postgres with its workflow in Temporal and prints what disagrees.
// Usage: npm run reconcile -- [--since 24h|<ISO date-time>] [--client-id <id>] [--limit <n>] [--json]
// Exit status: 0 everything agrees, 1 problems found (one line each on stdout), 2 the check could not run.
import 'dotenv/config';
import { parseArgs } from 'node:util';
import { loadEnv } from '../lib/env';
import { createPrisma } from '../lib/prisma';
import { formatProblem, reconcile } from '../monitoring/reconcile';
import { connectClient } from '../lib/temporal';
import { parseInstant } from '../lib/time-window';

const USAGE = 'usage: npm run reconcile -- [--since 24h|<ISO date-time>] [--client-id <id>] [--limit <n>] [--json]';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      since: { type: 'string', default: '24h' },
      'client-id': { type: 'string' },
      limit: { type: 'string', default: '10000' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const since = parseInstant(values.since);
  const limit = Number(values.limit);
  if (!since) throw new Error(`--since: must be a duration such as 24h or an ISO 8601 date-time (${USAGE})`);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`--limit: must be a positive integer (${USAGE})`);

  const env = loadEnv();
  const prisma = createPrisma({ DATABASE_URL: env.DATABASE_URL, DATABASE_POOL_SIZE: 4 });
  const client = await connectClient(env);
  try {
    const report = await reconcile({ prisma, client, since, limit, clientId: values['client-id'] });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    } else {
      for (const p of report.problems) process.stdout.write(`${formatProblem(p)}\n`);
      process.stderr.write(
        `reconcile: ${report.checked} scan(s) checked since ${report.since}, ${report.inAgreement} in agreement, ` +
          `${report.problems.length} problem(s)${report.truncated ? ` (only the newest ${limit} checked)` : ''}\n`,
      );
    }
    return report.problems.length > 0 ? 1 : 0;
  } finally {
    await client.connection.close();
    await prisma.$disconnect();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    // A connection error may quote the database URL: never print its password.
    process.stderr.write(`reconcile failed: ${message.replace(/(\/\/[^:/@\s]+:)[^@\s]+@/g, '$1***@')}\n`);
    process.exitCode = 2;
  },
);
