import { UsageError } from './errors';
import { pipelineEnv } from './in-process';

describe('pipelineEnv', () => {
  it('keeps the address rule on and exempts only 127.0.0.1, whatever .env says', () => {
    const env = pipelineEnv({ SCAN_ALLOW_PRIVATE_TARGETS: 'true', SCAN_ALLOWED_HOSTS: '10.0.0.0/8', LOG_LEVEL: 'debug' }, 2, 'silent');
    expect(env.SCAN_ALLOW_PRIVATE_TARGETS).toBe(false);
    expect(env.SCAN_ALLOWED_HOSTS).toBe('127.0.0.1');
    expect(env.MAX_CONCURRENT_PAGES).toBe(2);
    expect(env.LOG_LEVEL).toBe('silent');
  });

  it('keeps the rest of the configuration', () => {
    expect(pipelineEnv({ TEMPORAL_ADDRESS: '127.0.0.1:7299', DATABASE_URL: 'postgresql://u:p@db:5432/x' }, 3, 'error')).toMatchObject({
      TEMPORAL_ADDRESS: '127.0.0.1:7299',
      DATABASE_URL: 'postgresql://u:p@db:5432/x',
    });
  });

  it('turns an invalid configuration into a usage error', () => {
    expect(() => pipelineEnv({ MAX_SCAN_TIME: 'soon' }, 3, 'error')).toThrow(UsageError);
  });
});
