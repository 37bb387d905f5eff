import { ScanStageTimer, type TimedStage } from './scan-stage-timer';

describe('ScanStageTimer', () => {
  it('records each stage once, ended by the next one or by end()', () => {
    const seen: Array<[TimedStage, number]> = [];
    const timer = new ScanStageTimer((stage, seconds) => seen.push([stage, seconds]));
    timer.enter('lease');
    timer.enter('navigate');
    timer.end();
    timer.end();
    expect(seen.map(([s]) => s)).toEqual(['lease', 'navigate']);
    expect(seen.every(([, s]) => s >= 0)).toBe(true);
  });

  it('records nothing before the first stage', () => {
    const seen: TimedStage[] = [];
    new ScanStageTimer((stage) => seen.push(stage)).end();
    expect(seen).toEqual([]);
  });
});
