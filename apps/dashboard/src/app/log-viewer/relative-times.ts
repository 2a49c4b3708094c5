import { computed, Signal } from '@angular/core';
import { formatElapsed } from './log-copy';
import { LogRow } from './log-line';

/** Times shown relative to the log's first entry (`+1:02.345`). */
export class RelativeTimes {
  private readonly firstTime = computed(() => this.rows().find((row) => row.kind === 'entry')?.timeMs ?? 0);
  /**
   * The probe row's time, as wide as the newest row's (at phone width the time column is as
   * wide as its text, and a relative time grows longer as the log goes on).
   */
  readonly probe = computed(() => {
    if (!this.shown()) return '00:00:00.000';
    const newest = this.rows().at(-1);
    return newest ? this.of(newest).replace(/\d/g, '0') : '+0.000s';
  });

  constructor(
    /** Every row of the log, oldest first. */
    private readonly rows: () => readonly LogRow[],
    /** Whether relative times are shown. */
    private readonly shown: Signal<boolean>,
  ) {}

  of(row: LogRow): string {
    return formatElapsed(row.timeMs - this.firstTime());
  }
}
