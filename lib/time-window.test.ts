import { parseDuration, parseInstant } from './time-window';

describe('time windows', () => {
  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    for (const bad of ['', '0h', '24', 'h', '1w', '-1h', '1.5h', '24 h ago']) expect(parseDuration(bad)).toBeNull();
  });

  it('parses instants as a duration back from now or an ISO date-time', () => {
    const now = new Date('2026-11-28T12:00:00.000Z');
    expect(parseInstant('1h', now)).toEqual(new Date('2026-11-28T11:00:00.000Z'));
    expect(parseInstant('2026-11-27T10:30:00Z', now)).toEqual(new Date('2026-11-27T10:30:00.000Z'));
    expect(parseInstant('2026-11-27T10:30:00.123+01:00', now)).toEqual(new Date('2026-11-27T09:30:00.123Z'));
    for (const bad of ['yesterday', '2026-11-27', '2026-13-45T99:00:00Z', '']) expect(parseInstant(bad, now)).toBeNull();
  });
});
