import pino from 'pino';
import { runCleanup, runWorkersUntilFirstFailure, type CleanupStep, type RunnableWorker } from './run-workers';

interface LogLine {
  level: number;
  msg: string;
  step?: string;
  err?: { message: string };
}

function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}

/** Behaves like a Temporal Worker's lifecycle: run() settles once shutdown() drains it or fail() kills it. */
class FakeWorker implements RunnableWorker {
  state = 'INITIALIZED';
  shutdownCalls = 0;
  private settle?: { resolve: () => void; reject: (err: unknown) => void };

  constructor(
    private readonly events: string[] = [],
    readonly name = 'w',
  ) {}

  getState(): string {
    return this.state;
  }

  run(): Promise<void> {
    if (this.state !== 'INITIALIZED') return Promise.reject(new Error(`${this.name} already ran`));
    this.state = 'RUNNING';
    return new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
  }

  shutdown(): void {
    if (this.state !== 'RUNNING') throw new Error(`${this.name} not running: ${this.state}`);
    this.shutdownCalls++;
    this.state = 'DRAINING';
    // Draining takes a while: cleanup must not start before this resolves.
    setTimeout(() => this.stop(), 20);
  }

  stop(): void {
    this.state = 'STOPPED';
    this.events.push(`${this.name} stopped`);
    this.settle?.resolve();
  }

  fail(err: unknown): void {
    this.state = 'FAILED';
    this.events.push(`${this.name} failed`);
    this.settle?.reject(err);
  }
}

const tick = () => new Promise((r) => setImmediate(r));

describe('runWorkersUntilFirstFailure', () => {
  it('shuts the others down when one fails, cleans up once after all settle, and rethrows that failure', async () => {
    const events: string[] = [];
    const [a, b, c] = ['a', 'b', 'c'].map((n) => new FakeWorker(events, n));
    const cleanup = jest.fn(() => void events.push('cleanup'));
    const { logger, lines } = capturingLogger();

    const done = runWorkersUntilFirstFailure([a, b, c], [{ name: 'all', run: cleanup }], logger);
    await tick();
    const boom = new Error('poller crashed');
    b.fail(boom);

    await expect(done).rejects.toBe(boom);
    expect(a.shutdownCalls).toBe(1);
    expect(c.shutdownCalls).toBe(1);
    expect(b.shutdownCalls).toBe(0);
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(events.at(-1)).toBe('cleanup');
    expect(events.slice(0, 3).sort()).toEqual(['a stopped', 'b failed', 'c stopped']);
    expect(lines).toContainEqual(
      expect.objectContaining({
        level: 50,
        msg: 'worker failed; stopping the others',
        err: expect.objectContaining({ message: 'poller crashed' }),
      }),
    );
  });

  it('rethrows the first worker error even when every cleanup step throws, and still runs them all', async () => {
    const [a, b] = [new FakeWorker(), new FakeWorker()];
    const ran: string[] = [];
    const failing = (name: string): CleanupStep => ({
      name,
      run: async () => {
        ran.push(name);
        throw new Error(`${name} close failed`);
      },
    });
    const { logger, lines } = capturingLogger();

    const done = runWorkersUntilFirstFailure([a, b], [failing('pool'), failing('prisma'), failing('connection')], logger);
    await tick();
    const first = new Error('first');
    a.fail(first);

    await expect(done).rejects.toBe(first);
    expect(ran).toEqual(['pool', 'prisma', 'connection']);
    expect(lines.filter((l) => l.msg === 'worker cleanup step failed').map((l) => l.step)).toEqual(['pool', 'prisma', 'connection']);
  });

  it('keeps the first error when a second worker fails while stopping', async () => {
    const [a, b] = [new FakeWorker(), new FakeWorker()];
    b.shutdown = () => b.fail(new Error('second'));
    const { logger, lines } = capturingLogger();

    const done = runWorkersUntilFirstFailure([a, b], [], logger);
    await tick();
    const first = new Error('first');
    a.fail(first);

    await expect(done).rejects.toBe(first);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'another worker failed while stopping', err: expect.objectContaining({ message: 'second' }) }),
    );
  });

  it('treats a run() that throws synchronously as that worker failing', async () => {
    const a = new FakeWorker();
    const broken: RunnableWorker = {
      run: () => {
        throw new Error('sync');
      },
      shutdown: () => undefined,
      getState: () => 'INITIALIZED',
    };
    const { logger } = capturingLogger();

    await expect(runWorkersUntilFirstFailure([a, broken], [], logger)).rejects.toThrow('sync');
    expect(a.shutdownCalls).toBe(1);
  });

  it('resolves after a normal stop, with cleanup run once after every worker settled', async () => {
    const events: string[] = [];
    const workers = ['a', 'b', 'c'].map((n) => new FakeWorker(events, n));
    const cleanup = jest.fn(() => void events.push('cleanup'));
    const { logger } = capturingLogger();

    const done = runWorkersUntilFirstFailure(workers, [{ name: 'all', run: cleanup }], logger);
    await tick();
    // What the Temporal Runtime does on SIGTERM: every worker is told to shut down and drains at its own pace.
    for (const w of workers) w.shutdown();
    await tick();
    expect(cleanup).not.toHaveBeenCalled();

    await expect(done).resolves.toBeUndefined();
    expect(cleanup).toHaveBeenCalledTimes(1);
    expect(events).toEqual(['a stopped', 'b stopped', 'c stopped', 'cleanup']);
    expect(workers.map((w) => w.shutdownCalls)).toEqual([1, 1, 1]);
  });

  it('rejects with the first cleanup error when the workers stopped cleanly but cleanup failed', async () => {
    const a = new FakeWorker();
    const { logger } = capturingLogger();
    const done = runWorkersUntilFirstFailure(
      [a],
      [
        { name: 'pool', run: () => Promise.reject(new Error('pool')) },
        { name: 'connection', run: () => Promise.reject(new Error('connection')) },
      ],
      logger,
    );
    await tick();
    a.stop();
    await expect(done).rejects.toThrow('pool');
  });
});

describe('runCleanup', () => {
  it('runs every step in order and returns the errors instead of throwing', async () => {
    const ran: string[] = [];
    const { logger } = capturingLogger();
    const errors = await runCleanup(
      [
        { name: 'one', run: () => void ran.push('one') },
        {
          name: 'two',
          run: () => {
            ran.push('two');
            throw new Error('two');
          },
        },
        { name: 'three', run: async () => void ran.push('three') },
      ],
      logger,
    );
    expect(ran).toEqual(['one', 'two', 'three']);
    expect(errors).toEqual([new Error('two')]);
  });
});
