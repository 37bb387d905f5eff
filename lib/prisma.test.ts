import pino from 'pino';
import { createPrisma, forwardPrismaLogs, type PrismaLogEvent, type PrismaLogSource } from './prisma';

interface LogLine {
  level: number;
  msg: string;
  target?: string;
  component?: string;
  prismaLevel?: string;
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}

describe('forwardPrismaLogs', () => {
  it('sends warn and error events at warn (the caller still gets the error), naming the Prisma level and the client method', () => {
    const handlers = new Map<string, (e: PrismaLogEvent) => void>();
    const client: PrismaLogSource = { $on: (event, cb) => handlers.set(event, cb) };
    const { logger, lines } = capturingLogger();

    forwardPrismaLogs(client, logger);
    handlers.get('warn')?.({ timestamp: new Date(), message: 'pool is slow', target: 'ClientEngine' });
    handlers.get('error')?.({ timestamp: new Date(), message: 'Unique constraint failed', target: 'scan.create' });

    expect(lines).toEqual([
      expect.objectContaining({ level: 40, msg: 'pool is slow', target: 'ClientEngine', prismaLevel: 'warn' }),
      expect.objectContaining({ level: 40, msg: 'Unique constraint failed', target: 'scan.create', prismaLevel: 'error' }),
    ]);
  });
});

describe('createPrisma with a logger', () => {
  it("routes a real client's query error to pino and still throws it to the caller", async () => {
    const { logger, lines } = capturingLogger();
    // Nothing listens on port 1: the query fails at connect, no database needed.
    const prisma = createPrisma(
      { DATABASE_URL: 'postgresql://nobody:nothing@127.0.0.1:1/none', DATABASE_POOL_SIZE: 1 },
      logger.child({ component: 'prisma' }),
    );
    try {
      await expect(prisma.apiKey.count()).rejects.toThrow();
    } finally {
      await prisma.$disconnect();
    }
    expect(lines).toContainEqual(expect.objectContaining({ level: 40, component: 'prisma', target: 'apiKey.count', prismaLevel: 'error' }));
  });

  it('keeps working without a logger', async () => {
    const prisma = createPrisma({ DATABASE_URL: 'postgresql://nobody:nothing@127.0.0.1:1/none', DATABASE_POOL_SIZE: 1 });
    try {
      await expect(prisma.apiKey.count()).rejects.toThrow();
    } finally {
      await prisma.$disconnect();
    }
  });
});
