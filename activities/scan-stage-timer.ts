/** The parts of a page scan attempt whose time is measured (wcag_scan_stage_duration_seconds). */
export type TimedStage = 'lease' | 'prepare' | 'navigate' | 'settle' | 'axe' | 'facts' | 'screenshot' | 'store' | 'release';

/**
 * Splits an attempt's wall time into consecutive stages: entering one ends the previous. What an operator (and
 * the benchmark's per-page breakdown) needs to see which fixed cost a scan pays where.
 */
export class ScanStageTimer {
  private current: TimedStage | null = null;
  private since = 0;

  constructor(private readonly observe: (stage: TimedStage, seconds: number) => void) {}

  enter(stage: TimedStage): void {
    this.end();
    this.current = stage;
    this.since = performance.now();
  }

  end(): void {
    if (this.current) this.observe(this.current, (performance.now() - this.since) / 1000);
    this.current = null;
  }
}
