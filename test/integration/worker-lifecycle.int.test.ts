// The worker process's lifecycle with real Temporal workers: one failing must stop the others before the shared
// NativeConnection is closed, or close() throws and its error replaces the one that explains the exit.
import { randomBytes } from 'node:crypto';
import { connectNative } from '../../lib/temporal';
import pino from 'pino';
import { createPrisma } from '../../lib/prisma';
import { createBrowserPool, createWorkers } from '../../workers/create-workers';
import { runWorkersUntilFirstFailure } from '../../workers/run-workers';
import { testEnv, workflowBundle } from '../support/stack';

describe('worker lifecycle', () => {
  it('surfaces the failing worker error after stopping the others and closing the connection cleanly', async () => {
    const env = testEnv();
    const lines: { msg: string; step?: string; err?: { message: string } }[] = [];
    const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as (typeof lines)[number]) });
    const prisma = createPrisma(env);
    const pool = createBrowserPool(env, pino({ level: 'silent' }));
    const connection = await connectNative(env);
    const workers = await createWorkers({
      env,
      connection,
      prisma,
      pool,
      workflowBundle: await workflowBundle(),
      taskQueuePrefix: `t${randomBytes(4).toString('hex')}`,
      drain: () => undefined,
    });
    // A real worker's run() rejecting: the same worker run twice fails with the SDK's own IllegalStateError.
    const failing = workers[0];
    const cleanedUp: string[] = [];

    const done = runWorkersUntilFirstFailure(
      [...workers, failing],
      [
        { name: 'browser pool', run: () => pool.close() },
        { name: 'prisma', run: () => prisma.$disconnect() },
        { name: 'temporal connection', run: async () => (await connection.close(), cleanedUp.push('connection')) },
      ],
      logger,
    );

    await expect(done).rejects.toThrow('Poller was already started');
    expect(workers.map((w) => w.getState())).toEqual(workers.map(() => 'STOPPED'));
    expect(cleanedUp).toEqual(['connection']);
    expect(lines.filter((l) => l.msg === 'worker cleanup step failed')).toEqual([]);
    expect(lines).toContainEqual(
      expect.objectContaining({
        msg: 'worker failed; stopping the others',
        err: expect.objectContaining({ message: 'Poller was already started' }),
      }),
    );
  });
});
