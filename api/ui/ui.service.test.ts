import { memoryBucketSeconds, MEMORY_MAX_POINTS, RANGES } from './ui.service';

describe('memoryBucketSeconds', () => {
  it.each(Object.entries(RANGES))('keeps the %s memory chart at or under the point limit per worker', (_name, r) => {
    const s = memoryBucketSeconds(r.ms);
    expect(r.ms / 1000 / s).toBeLessThanOrEqual(MEMORY_MAX_POINTS);
  });

  it('uses per-minute points for short ranges (one health report a minute)', () => {
    expect(memoryBucketSeconds(3_600_000)).toBe(60);
    expect(memoryBucketSeconds(86_400_000)).toBe(300);
  });
});
