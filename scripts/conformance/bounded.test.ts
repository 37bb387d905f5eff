import { mapBounded } from './bounded';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapBounded', () => {
  it('never has more than the limit in flight and keeps the input order', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 1, 2], 3, async (n, i) => {
      peak = Math.max(peak, ++inFlight);
      await tick(n * 3);
      inFlight--;
      return `${i}:${n}`;
    });
    expect(out).toEqual(['0:5', '1:1', '2:4', '3:2', '4:3', '5:1', '6:2']);
    expect(peak).toBe(3);
  });

  it('handles fewer items than lanes, and none', async () => {
    expect(await mapBounded([1], 4, async (n) => n * 2)).toEqual([2]);
    expect(await mapBounded([], 4, async (n: number) => n)).toEqual([]);
  });

  it('stops starting work after a failure and rejects with it', async () => {
    const started: number[] = [];
    await expect(
      mapBounded([1, 2, 3, 4, 5], 2, async (n) => {
        started.push(n);
        await tick(n === 1 ? 30 : 5);
        if (n === 2) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });

  it('refuses a limit below 1', async () => {
    await expect(mapBounded([1], 0, async (n) => n)).rejects.toThrow(RangeError);
  });
});
