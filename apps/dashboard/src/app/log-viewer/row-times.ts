import { formatDate } from '@angular/common';
import { computed, Signal } from '@angular/core';
import { LogRow } from './log-line';

const TIME_OF_DAY = 'HH:mm:ss.SSS';
const DATED = `yyyy-MM-dd ${TIME_OF_DAY}`;

/**
 * The time column: elapsed since the log's first entry (`+1:02.345`), or the local time of
 * day — with the date when the log spans days (an editor session left running over a weekend,
 * a client that set its entries' times): times of day alone would repeat across them.
 */
export class RowTimes {
  private readonly firstTime = computed(() => this.rows().find((row) => row.kind === 'entry')?.timeMs ?? 0);
  /**
   * Whether the first and last entries fall on different local days. Only the two ends are
   * read (rows come oldest first), never every row on each new entry; an entry elsewhere with
   * an outlying time still has its full UTC time on hover.
   */
  readonly spansDays = computed(() => {
    const rows = this.rows();
    let last = rows.length - 1;
    while (last >= 0 && rows[last].kind !== 'entry') last--;
    return last >= 0 && this.day(this.firstTime()) !== this.day(rows[last].timeMs);
  });
  /**
   * The probe row's time, as wide as the newest row's (at phone width the time column is as
   * wide as its text, and a relative time grows longer as the log goes on).
   */
  readonly probe = computed(() => {
    if (!this.relative()) return this.spansDays() ? '0000-00-00 00:00:00.000' : '00:00:00.000';
    const newest = this.rows().at(-1);
    return newest ? this.of(newest).replace(/\d/g, '0') : '+0.000s';
  });

  constructor(
    /** Every row of the log, oldest first. */
    private readonly rows: () => readonly LogRow[],
    /** Whether relative times are shown. */
    private readonly relative: Signal<boolean>,
    private readonly locale: string,
  ) {}

  /**
   * How a row's time reads now: changes only with the mode, the first entry and whether the log
   * spans days, so each row's text is made once per change (`of`), not on every frame.
   */
  private readonly format = computed(() => {
    if (this.relative()) {
      const first = this.firstTime();
      return (row: LogRow) => formatElapsed(row.timeMs - first);
    }
    const pattern = this.spansDays() ? DATED : TIME_OF_DAY;
    return (row: LogRow) => formatDate(row.timeMs, pattern, this.locale);
  });
  private texts = new WeakMap<LogRow, string>();
  private textsFormat: ((row: LogRow) => string) | null = null;

  /** The row's time as the column shows it (made once per row while the format stays). */
  of(row: LogRow): string {
    const format = this.format();
    if (format !== this.textsFormat) {
      this.texts = new WeakMap();
      this.textsFormat = format;
    }
    let text = this.texts.get(row);
    if (text === undefined) {
      text = format(row);
      this.texts.set(row, text);
    }
    return text;
  }

  private day(ms: number): string {
    return formatDate(ms, 'yyyy-MM-dd', this.locale);
  }
}

/** A relative time: `+1:02.345` (minutes), `+1:02:03.456` (hours), `+2.345s`. */
function formatElapsed(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const abs = Math.abs(ms);
  const hours = Math.floor(abs / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const seconds = ((abs % 60_000) / 1000).toFixed(3).padStart(6, '0');
  if (hours > 0) return `${sign}${hours}:${String(minutes).padStart(2, '0')}:${seconds}`;
  if (minutes > 0) return `${sign}${minutes}:${seconds}`;
  return `${sign}${(abs / 1000).toFixed(3)}s`;
}
