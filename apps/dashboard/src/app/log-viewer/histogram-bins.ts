import { LOG_LEVELS, LogLevel } from '@zen/contract';
import { LogLine, LogRow } from './log-line';
import { deltaFrom, forEachRemoved, RowsDelta } from './row-deltas';

export interface HistogramBin {
  from: number;
  to: number;
  counts: Record<LogLevel, number>;
  total: number;
  /**
   * An edge bin: the entries far before (or after) the bulk of them, as a client's clock set
   * them (a time in 2001 among today's), which the other bins leave out of their span.
   * It spans its own entries' times.
   */
  outside?: 'before' | 'after';
}

const LEVEL_INDEX = Object.fromEntries(LOG_LEVELS.map((level, i) => [level, i])) as Record<LogLevel, number>;

/** Bin widths people read easily, in ms. */
const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/**
 * The bulk of the entries is all but this many at each end: 1 % of them, at least one (of
 * three), at most 25 (while following, the bulk's ends are read from that many rows each frame).
 */
function trimCount(entries: number): number {
  return Math.min(25, Math.ceil(entries / 100), Math.floor((entries - 1) / 2));
}

/** An entry is far from the bulk (`lo`..`hi`) when more than ten times its span, and more than a day, away. */
function reachOf(lo: number, hi: number): number {
  return Math.max(86_400_000, 10 * (hi - lo));
}

/**
 * Entries over time by severity, in at most `maxBins` bins of a readable width that
 * cover the rows' time span (gap rows are not entries and are not counted). Entries far
 * from the bulk of them (`reachOf`) are left out of that span and counted in an edge bin
 * before or after the others.
 */
export function binRows(rows: readonly LogRow[], maxBins = 60): HistogramBin[] {
  return new VolumeBins(maxBins).bins(rows);
}

/** A bin's counts by level (in `LOG_LEVELS` order), by the bin's number: its start time / width. */
type Counts = Map<number, Int32Array>;

/** The entries far before or after the bulk: their counts and times. */
interface Outside {
  counts: Int32Array;
  total: number;
  from: number;
  to: number;
}

/** The times the bins span (the first and last entries not far off) and the entries far off. */
interface Span {
  first: number;
  last: number;
  before: Outside | null;
  after: Outside | null;
}

/**
 * `binRows` kept up to date as rows come and go. While following, each frame's rows are the
 * last frame's with a few evicted at the front and a few added at the end (`deltaFrom`): when
 * the rows are in time order (a merged view always is; one session's log is unless clients set
 * times out of order) and the bin width stays, only those rows are counted, and the bulk's ends
 * found from a few rows at each end (at most 26 entries). Otherwise every row is.
 */
export class VolumeBins {
  private rows: readonly LogRow[] | null = null;
  private result: HistogramBin[] = [];
  /** The bin width, while the rows are in time order (0: not, count them all next time). */
  private width = 0;
  /** How many of the rows are entries (with a time). */
  private entries = 0;
  private counts: Counts = new Map();
  /**
   * The count before the last one of every row, while the rows have not moved on since: a
   * filter cleared (the text deleted) gives back the rows it was typed on, counted already.
   */
  private previous: {
    rows: readonly LogRow[] | null;
    result: HistogramBin[];
    width: number;
    entries: number;
    counts: Counts;
  } | null = null;

  constructor(private readonly maxBins = 60) {}

  bins(rows: readonly LogRow[]): HistogramBin[] {
    if (rows === this.rows) return this.result;
    const previous = this.previous;
    const current = {
      rows: this.rows,
      result: this.result,
      width: this.width,
      entries: this.entries,
      counts: this.counts,
    };
    if (previous && rows === previous.rows) {
      Object.assign(this, previous);
      this.previous = current;
      return this.result;
    }
    const delta = deltaFrom(rows, this.rows);
    if (delta && this.width > 0 && appendedInOrder(rows, delta.kept)) {
      // Counted into the bins as the entries are counted (one pass), and counted out again in the
      // rare frame whose bulk needs another width: then every row is counted anew.
      const entries = this.entries + this.countDelta(rows, delta, 1);
      const span = entries > 0 ? orderedSpan(rows, entries) : null;
      if (span && widthFor(span, this.maxBins) === this.width) {
        this.entries = entries;
        this.result = toBins(this.counts, span, this.width);
        // The log moved on: the rows before are not coming back (nor kept from being collected).
        this.previous = null;
        this.rows = rows;
        return this.result;
      }
      this.countDelta(rows, delta, -1);
    }
    this.recount(rows);
    this.previous = current.rows ? current : null;
    this.rows = rows;
    return this.result;
  }

  /**
   * Counts a frame's delta into the bins (`by` 1: its removed rows out, its added rows in) or
   * undoes that (-1); returns how many entries that adds.
   */
  private countDelta(rows: readonly LogRow[], delta: RowsDelta, by: 1 | -1): number {
    let added = 0;
    forEachRemoved(delta, (row) => {
      if (count(this.counts, row, this.width, -by as 1 | -1)) added -= by;
    });
    for (let i = delta.kept; i < rows.length; i++) if (count(this.counts, rows[i], this.width, by)) added += by;
    return added;
  }

  private recount(rows: readonly LogRow[]): void {
    this.counts = new Map();
    this.width = 0;
    // One pass finds how many entries there are and whether they are in time order (the usual
    // case): then the bulk's ends are found from a few rows at each end, else by selection.
    let entries = 0;
    let ordered = true;
    let last = -Infinity;
    for (const row of rows) {
      if (!counted(row)) continue;
      entries++;
      if (row.timeMs < last) ordered = false;
      last = row.timeMs;
    }
    this.entries = entries;
    if (entries === 0) {
      this.result = [];
      return;
    }
    const span = ordered ? orderedSpan(rows, entries) : unorderedSpan(rows, entries);
    const width = widthFor(span, this.maxBins);
    if (ordered) countOrdered(this.counts, rows, width);
    else for (const row of rows) count(this.counts, row, width, 1);
    this.result = toBins(this.counts, span, width);
    // Out of order, the next rows start over: the bulk's ends are not found at the rows' ends.
    if (ordered) this.width = width;
  }
}

/** Counts `rows` (in time order) into `counts`: they fill one bin after another, so each bin's counts are looked up once. */
function countOrdered(counts: Counts, rows: readonly LogRow[], width: number): void {
  let bin = NaN;
  let levels: Int32Array | undefined;
  for (const row of rows) {
    if (!counted(row)) continue;
    const at = Math.floor(row.timeMs / width);
    if (at !== bin) {
      bin = at;
      levels = counts.get(at);
      if (!levels) counts.set(at, (levels = new Int32Array(LOG_LEVELS.length)));
    }
    (levels as Int32Array)[LEVEL_INDEX[row.severity]]++;
  }
}

const counted = (row: LogRow): row is LogLine => row.kind === 'entry' && !Number.isNaN(row.timeMs);

/** Counts a row in (or out of) its bin, if it is an entry (returned); a bin emptied (its rows evicted) is forgotten. */
function count(counts: Counts, row: LogRow, width: number, by: 1 | -1): boolean {
  if (!counted(row)) return false;
  const bin = Math.floor(row.timeMs / width);
  let levels = counts.get(bin);
  if (!levels) counts.set(bin, (levels = new Int32Array(LOG_LEVELS.length)));
  levels[LEVEL_INDEX[row.severity]] += by;
  if (by < 0 && levels.every((n) => n === 0)) counts.delete(bin);
  return true;
}

function widthFor({ first, last }: { first: number; last: number }, maxBins: number): number {
  const span = last - first + 1;
  return STEPS.find((step) => span / step <= maxBins) ?? Math.ceil(span / maxBins);
}

/** Whether every row from `from` on is in time order after the rows before it (which were). */
function appendedInOrder(rows: readonly LogRow[], from: number): boolean {
  let last = -Infinity;
  for (let i = from - 1; i >= 0 && last === -Infinity; i--) {
    const row = rows[i];
    if (counted(row)) last = row.timeMs;
  }
  for (let i = from; i < rows.length; i++) {
    const row = rows[i];
    if (!counted(row)) continue;
    if (row.timeMs < last) return false;
    last = row.timeMs;
  }
  return true;
}

/**
 * The span of `entries` entries in time order: the bulk's ends are the entries `trimCount`
 * from each end, and the entries far from it lie among those, so only they are read.
 */
function orderedSpan(rows: readonly LogRow[], entries: number): Span {
  const k = trimCount(entries);
  const head = endEntries(rows, k + 1, 1);
  const tail = endEntries(rows, k + 1, -1);
  const reach = reachOf(head[k].timeMs, tail[k].timeMs);
  const start = farOnes(head, (time) => time < head[k].timeMs - reach);
  const end = farOnes(tail, (time) => time > tail[k].timeMs + reach);
  return { first: start.time, last: end.time, before: start.outside, after: end.outside };
}

/** The first `n` entries from the start (`step` 1) or the end (-1): there are that many. */
function endEntries(rows: readonly LogRow[], n: number, step: 1 | -1): LogLine[] {
  const found: LogLine[] = [];
  for (let i = step === 1 ? 0 : rows.length - 1; found.length < n && i >= 0 && i < rows.length; i += step) {
    const row = rows[i];
    if (counted(row)) found.push(row);
  }
  return found;
}

/** Of entries from one end of the rows, those `far` (they come first), and the time of the first that is not. */
function farOnes(
  entries: readonly LogLine[],
  far: (time: number) => boolean,
): { time: number; outside: Outside | null } {
  let outside: Outside | null = null;
  for (const row of entries) {
    if (!far(row.timeMs)) return { time: row.timeMs, outside };
    outside = addOutside(outside, row);
  }
  return { time: NaN, outside };
}

function addOutside(outside: Outside | null, row: LogLine): Outside {
  const to = outside ?? { counts: new Int32Array(LOG_LEVELS.length), total: 0, from: row.timeMs, to: row.timeMs };
  to.counts[LEVEL_INDEX[row.severity]]++;
  to.total++;
  to.from = Math.min(to.from, row.timeMs);
  to.to = Math.max(to.to, row.timeMs);
  return to;
}

/** The span of `entries` entries out of time order: the bulk's ends by selection, then every entry is read. */
function unorderedSpan(rows: readonly LogRow[], entries: number): Span {
  const times = new Float64Array(entries);
  let n = 0;
  for (const row of rows) if (counted(row)) times[n++] = row.timeMs;
  const k = trimCount(entries);
  const lo = select(times, k);
  const hi = select(times, entries - 1 - k);
  const reach = reachOf(lo, hi);
  const span: Span = { first: Infinity, last: -Infinity, before: null, after: null };
  for (const row of rows) {
    if (!counted(row)) continue;
    const time = row.timeMs;
    if (time < lo - reach) span.before = addOutside(span.before, row);
    else if (time > hi + reach) span.after = addOutside(span.after, row);
    else {
      if (time < span.first) span.first = time;
      if (time > span.last) span.last = time;
    }
  }
  return span;
}

/** The `n`th smallest (from 0) of `values`, which it reorders (quickselect: linear on average). */
function select(values: Float64Array, n: number): number {
  let [left, right] = [0, values.length - 1];
  while (left < right) {
    const pivot = values[(left + right) >> 1];
    let [i, j] = [left, right];
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        [values[i], values[j]] = [values[j], values[i]];
        i++;
        j--;
      }
    }
    if (n <= j) right = j;
    else if (n >= i) left = i;
    else return values[n];
  }
  return values[n];
}

function toBins(counts: Counts, { first, last, before, after }: Span, width: number): HistogramBin[] {
  const firstBin = Math.floor(first / width);
  const lastBin = Math.floor(last / width);
  const bins = Array.from({ length: lastBin - firstBin + 1 }, (_, i) =>
    bin(counts.get(firstBin + i) ?? EMPTY, (firstBin + i) * width, (firstBin + i + 1) * width - 1),
  );
  if (before) bins.unshift({ ...bin(before.counts, before.from, before.to), outside: 'before' });
  if (after) bins.push({ ...bin(after.counts, after.from, after.to), outside: 'after' });
  return bins;
}

function bin([debug, info, warn, error]: Int32Array, from: number, to: number): HistogramBin {
  return { from, to, counts: { debug, info, warn, error }, total: debug + info + warn + error };
}

const EMPTY = new Int32Array(LOG_LEVELS.length);
