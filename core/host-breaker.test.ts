import { ActivityFailure, ApplicationFailure, RetryState } from '@temporalio/common';
import { HOST_CIRCUIT_OPEN, hostCircuitWaitMs } from './host-breaker';

const activityFailure = (cause: Error) => new ActivityFailure('failed', 'scanPage', '1', RetryState.NON_RETRYABLE_FAILURE, 'id', cause);

describe('hostCircuitWaitMs', () => {
  it('reads the wait from an open-breaker refusal, clamped to [1 s, 10 min]', () => {
    const open = (ms: unknown) =>
      ApplicationFailure.create({ type: HOST_CIRCUIT_OPEN, nonRetryable: true, details: [{ host: 'h', retryAfterMs: ms }] });
    expect(hostCircuitWaitMs(activityFailure(open(4_500)))).toBe(4_500);
    expect(hostCircuitWaitMs(activityFailure(open(10)))).toBe(1_000);
    expect(hostCircuitWaitMs(activityFailure(open(10_000_000)))).toBe(600_000);
    expect(hostCircuitWaitMs(activityFailure(open('nonsense')))).toBe(30_000);
  });

  it('is null for every other failure', () => {
    expect(hostCircuitWaitMs(activityFailure(ApplicationFailure.create({ type: 'blocked', message: '403' })))).toBeNull();
    expect(hostCircuitWaitMs(new Error('x'))).toBeNull();
    expect(hostCircuitWaitMs(undefined)).toBeNull();
  });
});
