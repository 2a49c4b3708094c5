import { LOG_LEVELS, LogLevel } from '@zen/contract';
import { LogLine, LogRow } from './log-line';
import { deltaFrom, forEachRemoved } from './row-deltas';

export interface HistogramBin {
  from: number;
  to: number;
  counts: Record<LogLevel, number>;
  total: number;
}

const LEVEL_INDEX = Object.fromEntries(LOG_LEVELS.map((level, i) => [level, i])) as Record<LogLevel, number>;

/** Bin widths people read easily, in ms. */
const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/**
 * Entries over time by severity, in at most `maxBins` bins of a readable width that
 * cover the rows' time span (gap rows are not entries and are not counted).
 */
export function binRows(rows: readonly LogRow[], maxBins = 60): HistogramBin[] {
  return new VolumeBins(maxBins).bins(rows);
}

/** A bin's counts by level (in `LOG_LEVELS` order), by the bin's number: its start time / width. */
type Counts = Map<number, Int32Array>;

/**
 * `binRows` kept up to date as rows come and go. While following, each frame's rows are the
 * last frame's with a few evicted at the front and a few added at the end (`deltaFrom`): when
 * the rows are in time order (a merged view always is; one session's log is unless clients set
 * times out of order) and the bin width stays, only those rows are counted. Otherwise every row is.
 */
export class VolumeBins {
  private rows: readonly LogRow[] | null = null;
  private result: HistogramBin[] = [];
  private width = 0;
  private counts: Counts = new Map();

  constructor(private readonly maxBins = 60) {}

  bins(rows: readonly LogRow[]): HistogramBin[] {
    if (rows === this.rows) return this.result;
    const delta = deltaFrom(rows, this.rows);
    const span = delta && this.width > 0 ? orderedSpan(rows, delta.kept) : null;
    if (delta && span && widthFor(span, this.maxBins) === this.width) {
      forEachRemoved(delta, (row) => count(this.counts, row, this.width, -1));
      for (let i = delta.kept; i < rows.length; i++) count(this.counts, rows[i], this.width, 1);
      this.result = span.first === Infinity ? [] : toBins(this.counts, span, this.width);
    } else this.recount(rows);
    this.rows = rows;
    return this.result;
  }

  private recount(rows: readonly LogRow[]): void {
    this.counts = new Map();
    this.width = 0;
    let first = Infinity;
    let last = -Infinity;
    let ordered = true;
    for (const row of rows) {
      if (!counted(row)) continue;
      if (row.timeMs < last) ordered = false;
      if (row.timeMs < first) first = row.timeMs;
      if (row.timeMs > last) last = row.timeMs;
    }
    if (first === Infinity) {
      this.result = [];
      return;
    }
    const width = widthFor({ first, last }, this.maxBins);
    for (const row of rows) count(this.counts, row, width, 1);
    this.result = toBins(this.counts, { first, last }, width);
    // Out of order, the span is not the first and last rows' times: the next rows start over.
    if (ordered) this.width = width;
  }
}

const counted = (row: LogRow): row is LogLine => row.kind === 'entry' && !Number.isNaN(row.timeMs);

function count(counts: Counts, row: LogRow, width: number, by: 1 | -1): void {
  if (!counted(row)) return;
  const bin = Math.floor(row.timeMs / width);
  let levels = counts.get(bin);
  if (!levels) counts.set(bin, (levels = new Int32Array(LOG_LEVELS.length)));
  levels[LEVEL_INDEX[row.severity]] += by;
}

function widthFor({ first, last }: { first: number; last: number }, maxBins: number): number {
  const span = last - first + 1;
  return STEPS.find((step) => span / step <= maxBins) ?? Math.ceil(span / maxBins);
}

/**
 * The times of the first and last entries when every row from `from` on is in time order
 * after the rows before it (which were: only ordered rows are counted incrementally); null
 * when not. An empty span has `first` Infinity.
 */
function orderedSpan(rows: readonly LogRow[], from: number): { first: number; last: number } | null {
  let last = -Infinity;
  for (let i = from - 1; i >= 0 && last === -Infinity; i--) if (counted(rows[i])) last = rows[i].timeMs;
  for (let i = from; i < rows.length; i++) {
    const row = rows[i];
    if (!counted(row)) continue;
    if (row.timeMs < last) return null;
    last = row.timeMs;
  }
  let first = Infinity;
  for (let i = 0; i < rows.length && first === Infinity; i++) if (counted(rows[i])) first = rows[i].timeMs;
  return { first, last };
}

function toBins(counts: Counts, { first, last }: { first: number; last: number }, width: number): HistogramBin[] {
  const firstBin = Math.floor(first / width);
  const lastBin = Math.floor(last / width);
  // Bins left behind by eviction are empty now: forget them.
  for (const bin of counts.keys()) if (bin < firstBin) counts.delete(bin);
  return Array.from({ length: lastBin - firstBin + 1 }, (_, i) => {
    const [debug, info, warn, error] = counts.get(firstBin + i) ?? EMPTY;
    return {
      from: (firstBin + i) * width,
      to: (firstBin + i + 1) * width - 1,
      counts: { debug, info, warn, error },
      total: debug + info + warn + error,
    };
  });
}

const EMPTY = new Int32Array(LOG_LEVELS.length);
