import { escapeRegExp, LOG_LEVELS, LogLevel } from '@zen/contract';
import { AnsiSegment } from './ansi';
import { charMask, LogRow, maskDecides } from './log-line';
import { deltaFrom, deltaOf, noteDelta, RowsDelta } from './row-deltas';

export interface LogFilterState {
  /** Minimum level shown (of the entry's severity). */
  level: LogLevel;
  text: string;
  regex: boolean;
  /** Only this Unreal category. */
  category?: string | null;
  /** Only this session (in a merged view). */
  source?: string | null;
  /** Only entries in this time range (ms, inclusive), from the histogram. */
  range?: { from: number; to: number } | null;
}

/**
 * The matcher for the text filter: plain text case-insensitively, or a regular
 * expression. Null means "no text filter"; an invalid regex is reported, not thrown.
 */
export function textMatcher(filter: LogFilterState): { pattern: RegExp | null; error: string | null } {
  if (!filter.text) return { pattern: null, error: null };
  const source = filter.regex ? filter.text : escapeRegExp(filter.text);
  try {
    return { pattern: new RegExp(source, 'gi'), error: null };
  } catch (error) {
    return { pattern: null, error: (error as Error).message };
  }
}

/** Rows passing the filter; gap rows stay (of the shown sources), so losses remain visible. */
export function filterRows(rows: readonly LogRow[], filter: LogFilterState, pattern: RegExp | null): LogRow[] {
  const test = rowTest(filter, pattern);
  if (test === null) return rows as LogRow[];
  // With the masks in one typed array, a row lacking a character is dropped without reading
  // the row at all, and when the mask decides and nothing else filters, no row is read. With
  // the text alone to match (typing), a row the mask lets through is read for its text only.
  return keptRows(rows, test, test.needle === null ? null : maskColumn(rows));
}

/** A filter made ready for its rows: what each row is compared with, worked out once. */
interface RowTest {
  /** The index in LOG_LEVELS of the lowest level kept; 0 keeps every level. */
  minLevel: number;
  category: string | null | undefined;
  source: string | null | undefined;
  range: { from: number; to: number } | null | undefined;
  pattern: RegExp | null;
  /** Plain text, lower-cased: compared with the row's pre-lower-cased text, no regex per row. */
  needle: string | null;
  /** The characters of the needle: rows lacking one are dropped without reading their text. */
  needleMask: number;
  /** The mask alone decides whether a row has the needle. */
  maskEnough: boolean;
  /** Nothing but the text filters. */
  onlyText: boolean;
}

/** The filter as a RowTest, or null when it keeps every row. */
function rowTest(filter: LogFilterState, pattern: RegExp | null): RowTest | null {
  const minLevel = LOG_LEVELS.indexOf(filter.level);
  const { category, source, range } = filter;
  const onlyText = minLevel === 0 && !category && !source && !range;
  if (onlyText && !pattern) return null;
  const needle = pattern && !filter.regex ? filter.text.toLowerCase() : null;
  const needleMask = needle === null ? 0 : charMask(needle);
  const maskEnough = needle !== null && maskDecides(needle);
  return { minLevel, category, source, range, pattern, needle, needleMask, maskEnough, onlyText };
}

/**
 * The rows `test` keeps. No array until a row is dropped: a filter that keeps every row (the
 * first letter typed, say) allocates nothing and answers with the same array, so nothing
 * downstream recomputes. `masks`: the rows' mask column, when there is a needle.
 * `keeps` is made here, beside the loop that calls it, and reads the test's parts as locals:
 * so the compiler inlines it with them at hand; read from the test per row, it measured a
 * third slower (a level or source filter over 200,000 rows).
 */
function keptRows(rows: readonly LogRow[], test: RowTest, masks: Int32Array | null): LogRow[] {
  const { minLevel, category, source, range, pattern, needle, needleMask, maskEnough, onlyText } = test;
  const keeps = (row: LogRow): boolean => {
    if (source && row.source !== source) return false;
    if (row.kind === 'gap') return true;
    if (minLevel > 0 && LOG_LEVELS.indexOf(row.severity) < minLevel) return false;
    if (category && row.category !== category) return false;
    // Written so that an entry without a readable time (NaN) is in no range.
    if (range && !(row.timeMs >= range.from && row.timeMs <= range.to)) return false;
    if (needle !== null) return (row.chars & needleMask) === needleMask && (maskEnough || row.lower.includes(needle));
    if (!pattern) return true;
    pattern.lastIndex = 0;
    return pattern.test(row.text);
  };
  const masksDecide = maskEnough && onlyText;
  let kept: LogRow[] | null = null;
  // The answer's own masks, gathered as it is, so the next keystroke (which filters this
  // answer) finds its column made instead of reading every row it keeps twice.
  let keptMasks: Int32Array | null = null;
  for (let i = 0; i < rows.length; i++) {
    let keep: boolean;
    if (masks === null) keep = keeps(rows[i]);
    else {
      keep = (masks[i] & needleMask) === needleMask;
      if (keep && !masksDecide) {
        const row = rows[i];
        keep = onlyText ? row.kind === 'gap' || row.lower.includes(needle as string) : keeps(row);
      }
    }
    if (keep) {
      if (kept === null) continue;
      if (keptMasks !== null) keptMasks[kept.length] = (masks as Int32Array)[i];
      kept.push(rows[i]);
    } else if (kept === null) {
      kept = rows.slice(0, i);
      if (masks !== null) (keptMasks = scratchMasks(rows.length)).set(masks.subarray(0, i));
    }
  }
  if (kept !== null && keptMasks !== null) maskColumns.set(kept, keptMasks.slice(0, kept.length));
  return kept ?? (rows as LogRow[]);
}

let scratch = new Int32Array(0);

/** A buffer of at least `length` masks, the same one each time (grown, never given back). */
function scratchMasks(length: number): Int32Array {
  if (scratch.length < length) scratch = new Int32Array(Math.max(length, 2 * scratch.length));
  return scratch;
}

const maskColumns = new WeakMap<readonly LogRow[], Int32Array>();

/**
 * The character masks of `rows` (`LogLine.chars`; every bit for a gap row, which no text
 * filter drops), in one typed array: a keystroke scans 800 KB in order instead of reading
 * 200,000 rows from all over the heap. The rows of a `LogSources` have theirs made with them
 * (`MaskColumns`); other arrays (a filter's answer) get theirs from the first text filter on
 * them, made from the previous array's masks when `noteDelta` says how this one came from it,
 * so filtering while following copies the masks and reads only the new rows.
 */
export function maskColumn(rows: readonly LogRow[]): Int32Array {
  let masks = maskColumns.get(rows);
  if (masks) return masks;
  masks = new Int32Array(rows.length);
  const delta = deltaOf(rows);
  const previous = delta && maskColumns.get(delta.from);
  let i = 0;
  if (delta && previous) {
    masks.set(previous.subarray(delta.evicted, delta.evicted + delta.kept));
    i = delta.kept;
  }
  for (; i < rows.length; i++) {
    const row = rows[i];
    masks[i] = row.kind === 'entry' ? row.chars : -1;
  }
  maskColumns.set(rows, masks);
  return masks;
}

/**
 * `maskColumn` of each rows array a `LogSources` makes, made as the array is (once a frame),
 * so the first filter keystroke on a large log finds it ready instead of reading every row
 * (200,000 rows of a merged view: 15-25 ms, most of a frame). The columns share one buffer:
 * a frame's column is the last one's with the evicted masks left behind at the front and the
 * new rows' masks written after the kept ones, so following writes only the new masks and
 * allocates nothing but a view; when the buffer is full, the live masks move to a new one.
 */
export class MaskColumns {
  private buffer = new Int32Array(0);
  /** The last rows array and where its masks start in `buffer`. */
  private rows: readonly LogRow[] | null = null;
  private start = 0;

  /** Makes the column of `rows`, which came from the last rows array as `delta` says. */
  next(rows: readonly LogRow[], delta: RowsDelta): void {
    const follows = delta.from === this.rows;
    const kept = follows ? delta.kept : 0;
    let start = follows ? this.start + delta.evicted : 0;
    if (start + rows.length > this.buffer.length) {
      const buffer = new Int32Array(Math.max(1024, 2 * rows.length));
      buffer.set(this.buffer.subarray(start, start + kept));
      this.buffer = buffer;
      start = 0;
    }
    const buffer = this.buffer;
    for (let i = kept; i < rows.length; i++) {
      const row = rows[i];
      buffer[start + i] = row.kind === 'entry' ? row.chars : -1;
    }
    // The last array's masks after its kept rows were just written over: it has no column now.
    if (this.rows) maskColumns.delete(this.rows);
    maskColumns.set(rows, buffer.subarray(start, start + rows.length));
    this.rows = rows;
    this.start = start;
  }
}

/**
 * `filterRows` that remembers its last answer: when only the plain text grew to contain
 * what it was (typing on), the rows that matched before are the only candidates, so a
 * keystroke filters the previous result rather than every row.
 */
export class RowFilter {
  private last: { rows: readonly LogRow[]; filter: LogFilterState; result: LogRow[] } | null = null;

  apply(rows: readonly LogRow[], filter: LogFilterState, pattern: RegExp | null): LogRow[] {
    const last = this.last;
    const delta =
      last && last.result !== last.rows && sameFilter(last.filter, filter) ? deltaFrom(rows, last.rows) : null;
    const from = last && last.rows === rows && narrows(last.filter, filter) ? last.result : rows;
    const result =
      delta && last ? followed(last.result, delta, rows, filter, pattern) : filterRows(from, filter, pattern);
    this.last = { rows, filter, result };
    return result;
  }
}

/**
 * The same filter on the next frame's rows: the last answer without the rows that left,
 * and the new rows filtered, instead of every row again. Notes its own delta, so the
 * histogram of the filtered rows counts only what changed too.
 */
function followed(
  previous: LogRow[],
  delta: RowsDelta,
  rows: readonly LogRow[],
  filter: LogFilterState,
  pattern: RegExp | null,
): LogRow[] {
  const { from, evicted, kept } = delta;
  const leftAtFront = filterRows(from.slice(0, evicted), filter, pattern).length;
  const leftAtEnd = filterRows(from.slice(evicted + kept), filter, pattern).length;
  const stay = previous.length - leftAtFront - leftAtEnd;
  const result = previous.slice(leftAtFront, leftAtFront + stay).concat(filterRows(rows.slice(kept), filter, pattern));
  noteDelta(result, { from: previous, evicted: leftAtFront, kept: stay });
  return result;
}

/** True when every row `next` keeps, `previous` kept too (the plain text only got longer). */
function narrows(previous: LogFilterState, next: LogFilterState): boolean {
  return (
    !previous.regex &&
    !next.regex &&
    previous.text !== '' &&
    next.text.toLowerCase().includes(previous.text.toLowerCase()) &&
    sameBesidesText(previous, next)
  );
}

function sameFilter(a: LogFilterState, b: LogFilterState): boolean {
  return a.text === b.text && a.regex === b.regex && sameBesidesText(a, b);
}

/** The level, category, source and time range are the same (the text and regex flag aside). */
function sameBesidesText(a: LogFilterState, b: LogFilterState): boolean {
  return (
    a.level === b.level &&
    (a.category ?? null) === (b.category ?? null) &&
    (a.source ?? null) === (b.source ?? null) &&
    sameRange(a.range ?? null, b.range ?? null)
  );
}

function sameRange(a: LogFilterState['range'], b: LogFilterState['range']): boolean {
  return a === b || (!!a && !!b && a.from === b.from && a.to === b.to);
}

/** A message cut into plain and matching parts, for highlighting without HTML. */
export function highlight(message: string, pattern: RegExp | null): { text: string; match: boolean }[] {
  if (!pattern) return [{ text: message, match: false }];
  const parts: { text: string; match: boolean }[] = [];
  let last = 0;
  pattern.lastIndex = 0;
  for (const found of message.matchAll(pattern)) {
    if (found[0] === '') continue;
    const start = found.index ?? 0;
    if (start > last) parts.push({ text: message.slice(last, start), match: false });
    parts.push({ text: found[0], match: true });
    last = start + found[0].length;
  }
  if (last < message.length) parts.push({ text: message.slice(last), match: false });
  return parts;
}

export interface ShownSegment extends AnsiSegment {
  match: boolean;
}

/** ANSI runs cut further where the text filter matches, so both colour and highlight show. */
export function highlightSegments(segments: readonly AnsiSegment[], pattern: RegExp | null): ShownSegment[] {
  if (!pattern) return segments.map((segment) => ({ ...segment, match: false }));
  const text = segments.map((segment) => segment.text).join('');
  const parts = highlight(text, pattern);
  const shown: ShownSegment[] = [];
  let segmentIndex = 0;
  let offsetInSegment = 0;
  for (const part of parts) {
    let remaining = part.text.length;
    while (remaining > 0 && segmentIndex < segments.length) {
      const segment = segments[segmentIndex];
      const take = Math.min(remaining, segment.text.length - offsetInSegment);
      shown.push({
        ...segment,
        text: segment.text.slice(offsetInSegment, offsetInSegment + take),
        match: part.match,
      });
      remaining -= take;
      offsetInSegment += take;
      if (offsetInSegment === segment.text.length) {
        segmentIndex++;
        offsetInSegment = 0;
      }
    }
  }
  return shown;
}
