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
  /**
   * The count before the last one of every row, while the rows have not moved on since: a
   * filter cleared (the text deleted) gives back the rows it was typed on, counted already.
   */
  private previous: {
    rows: readonly LogRow[] | null;
    result: HistogramBin[];
    width: number;
    counts: Counts;
  } | null = null;

  constructor(private readonly maxBins = 60) {}

  bins(rows: readonly LogRow[]): HistogramBin[] {
    if (rows === this.rows) return this.result;
    const previous = this.previous;
    const current = { rows: this.rows, result: this.result, width: this.width, counts: this.counts };
    if (previous && rows === previous.rows) {
      Object.assign(this, previous);
      this.previous = current;
      return this.result;
    }
    const delta = deltaFrom(rows, this.rows);
    const span = delta && this.width > 0 ? orderedSpan(rows, delta.kept) : null;
    if (delta && span && widthFor(span, this.maxBins) === this.width) {
      forEachRemoved(delta, (row) => count(this.counts, row, this.width, -1));
      for (let i = delta.kept; i < rows.length; i++) count(this.counts, rows[i], this.width, 1);
      this.result = span.first === Infinity ? [] : toBins(this.counts, span, this.width);
      // The log moved on: the rows before are not coming back (nor kept from being collected).
      this.previous = null;
    } else {
      this.recount(rows);
      this.previous = current.rows ? current : null;
    }
    this.rows = rows;
    return this.result;
  }

  private recount(rows: readonly LogRow[]): void {
    this.counts = new Map();
    this.width = 0;
    // In time order (the usual case) the span is the first and last entries' times: the rows
    // are counted in one pass, which stops to start over below at the first row out of order.
    let first = Infinity;
    let last = -Infinity;
    for (let i = 0; i < rows.length && first === Infinity; i++) if (counted(rows[i])) first = rows[i].timeMs;
    for (let i = rows.length - 1; i >= 0 && last === -Infinity; i--) if (counted(rows[i])) last = rows[i].timeMs;
    if (first === Infinity) {
      this.result = [];
      return;
    }
    let width = widthFor({ first, last }, this.maxBins);
    if (!countOrdered(this.counts, rows, width)) {
      first = Infinity;
      last = -Infinity;
      for (const row of rows) {
        if (!counted(row)) continue;
        if (row.timeMs < first) first = row.timeMs;
        if (row.timeMs > last) last = row.timeMs;
      }
      width = widthFor({ first, last }, this.maxBins);
      this.counts = new Map();
      for (const row of rows) count(this.counts, row, width, 1);
      this.result = toBins(this.counts, { first, last }, width);
      // Out of order, the span is not the first and last rows' times: the next rows start over.
      return;
    }
    this.result = toBins(this.counts, { first, last }, width);
    this.width = width;
  }
}

/**
 * Counts `rows` into `counts` while they are in time order; false (stopped) at the first that is not.
 * Rows in order fill one bin after another, so each bin's counts are looked up once.
 */
function countOrdered(counts: Counts, rows: readonly LogRow[], width: number): boolean {
  let last = -Infinity;
  let bin = NaN;
  let levels: Int32Array | undefined;
  for (const row of rows) {
    if (!counted(row)) continue;
    const time = row.timeMs;
    if (time < last) return false;
    last = time;
    const at = Math.floor(time / width);
    if (at !== bin) {
      bin = at;
      levels = counts.get(at);
      if (!levels) counts.set(at, (levels = new Int32Array(LOG_LEVELS.length)));
    }
    (levels as Int32Array)[LEVEL_INDEX[row.severity]]++;
  }
  return true;
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
