import { lineCount, LogLine, LogRow } from './log-line';
import { deltaFrom, RowsDelta } from './row-deltas';

/** Height of one line of log text, in px. */
export const LINE_HEIGHT = 20;
/** The inline data tree shows at most this many lines, and scrolls inside beyond. */
export const MAX_DATA_LINES = 12;
/** Below an open data tree: its bottom margin (`.data` in log-viewer.scss). */
const DATA_MARGIN_PX = 8;

export interface LayoutOptions {
  /** Characters that fit on one line of the message column; 0 when not wrapping. */
  wrapColumns: number;
  /** The same beside a data button, which narrows the message column (default: `wrapColumns`). */
  dataWrapColumns?: number;
  /**
   * How Unreal categories show (default `none`): not at all (the whole text is the message), in
   * a column of their own (the message starts after `Category: `), or inline at the start of
   * the message (any `[time][frame]` prefix before them is not shown).
   */
  categories?: CategoryPlace;
  /** Keys of rows whose data tree is open, with the number of lines the tree has. */
  expanded: ReadonlyMap<string, number>;
}

export type CategoryPlace = 'none' | 'column' | 'inline';

/** How a wrapped row's lines are counted: the parts of `LayoutOptions` that change them. */
interface Wrap {
  columns: number;
  dataColumns: number;
  categories: CategoryPlace;
}

const NO_WRAP: Wrap = { columns: 0, dataColumns: 0, categories: 'none' };

function wrapOf(options: LayoutOptions): Wrap {
  const columns = options.wrapColumns;
  const dataColumns = columns > 0 ? (options.dataWrapColumns ?? columns) : 0;
  return { columns, dataColumns, categories: options.categories ?? 'none' };
}

/**
 * The height of a row: a line per line of its message (a stack trace shows its lines even
 * unwrapped), each as many as its wrapped text needs, plus an open data tree.
 */
export function rowHeight(row: LogRow, options: LayoutOptions): number {
  return heightOf(row, textLines(row, wrapOf(options)), options.expanded);
}

/** Lines of a row's text as shown, wrapped (`wrap.columns` 0: not wrapping); a gap row is one line. */
function textLines(row: LogRow, wrap: Wrap): number {
  if (row.kind === 'gap') return 1;
  return wrap.columns === 0 ? row.lines : wrappedLines(row, row.text, wrap);
}

/** Lines of `text`, a row's, wrapped to the column its message shows in. */
function wrappedLines(row: LogLine, text: string, wrap: Wrap): number {
  return lineCount(text, row.entry.data ? wrap.dataColumns : wrap.columns, hiddenPrefix(row, wrap));
}

/** Characters at the start of a row's text that its message does not show. */
function hiddenPrefix(row: LogLine, wrap: Wrap): number {
  if (row.category === null || wrap.categories === 'none') return 0;
  return wrap.categories === 'column' ? row.bodyStart : row.bodyStart - row.category.length - 2;
}

function sameWrap(a: Wrap, b: Wrap): boolean {
  return a.columns === b.columns && a.dataColumns === b.dataColumns && a.categories === b.categories;
}

/** The length of the longest line of `text`. */
function longestLine(text: string): number {
  let longest = 0;
  for (let start = 0; start <= text.length; ) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    longest = Math.max(longest, stop - start);
    start = stop + 1;
  }
  return longest;
}

/** `RowLayout`'s longest line of a row measured unwrapped: not known, so it fits no width. */
const UNKNOWN = 0x7fffffff;

function heightOf(row: LogRow, lines: number, expanded: ReadonlyMap<string, number>): number {
  if (row.kind === 'gap' || expanded.size === 0) return lines * LINE_HEIGHT;
  const dataLines = expanded.get(row.key);
  const data = dataLines === undefined ? 0 : Math.min(dataLines, MAX_DATA_LINES) * LINE_HEIGHT + DATA_MARGIN_PX;
  return lines * LINE_HEIGHT + data;
}

/**
 * Where the rows of one `RowLayout.next` start, and how high they are together. Every row
 * one line high (the common case) is arithmetic; otherwise it reads the layout's running
 * heights, which the next call overwrites: use only the newest.
 */
export class Offsets {
  constructor(
    /** Running heights (null when every row is one line high): the k-th row in time order starts at `sums[start + k] - sums[start]`. */
    private readonly sums: Float64Array | null,
    private readonly start: number,
    readonly count: number,
    /** Shown newest first: row `i` is the `count - 1 - i`-th in time order. */
    private readonly reversed: boolean,
  ) {}

  get height(): number {
    return this.sums ? this.before(this.count) : this.count * LINE_HEIGHT;
  }

  /** Where row `index` (in the order shown) starts. */
  offsetOf(index: number): number {
    if (!this.sums) return index * LINE_HEIGHT;
    return this.reversed ? this.height - this.before(this.count - index) : this.before(index);
  }

  /** The row at height `y`: the last that starts at or above it. */
  indexAt(y: number): number {
    const count = this.count;
    if (!this.sums) return Math.min(Math.max(0, Math.floor(y / LINE_HEIGHT)), Math.max(0, count - 1));
    let low = 0;
    let high = count - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (this.offsetOf(mid) <= y) low = mid;
      else high = mid - 1;
    }
    return Math.max(0, low);
  }

  /** The height of the first `k` rows in time order. */
  private before(k: number): number {
    const sums = this.sums as Float64Array;
    return sums[this.start + k] - sums[this.start];
  }
}

/**
 * The offsets of each frame's rows, kept up to date as rows come and go. While following,
 * each frame's rows are the last frame's with a few evicted at the front and a few new at the
 * end (`deltaFrom`): only the new rows are measured (a wrapped row's text is read once, not
 * once a frame) and their heights added to the running ones. The rows are taken in time order
 * and shown either way round, so newest first (new rows at the top) is the same append. Every
 * row is measured again only for other rows (a filter changed); another wrap width reads the
 * text of only the rows with a line longer than the old or the new width, and an opened or
 * closed data tree adds up the line counts again without reading any text.
 */
export class RowLayout {
  private rows: readonly LogRow[] | null = null;
  private wrap = NO_WRAP;
  private expanded: ReadonlyMap<string, number> = new Map();
  /** Where the rows' entries start in the buffers: evicted rows leave theirs behind at the front. */
  private start = 0;
  /** Each row's lines of text, wrapped to `columns`. */
  private lines = new Int32Array(0);
  /** Each row's longest line (when measured wrapped), which no width changes. */
  private longest = new Int32Array(0);
  /** Running heights, one more than rows (see `Offsets`). */
  private sums = new Float64Array(1);
  /** Rows of more than one line: while none and no tree is open, offsets are plain multiples. */
  private tall = 0;

  /** The offsets of `rows`, in time order, shown newest first when `reversed`. */
  next(rows: readonly LogRow[], options: LayoutOptions, reversed = false): Offsets {
    const { expanded } = options;
    const wrap = wrapOf(options);
    const reExpanded = expanded !== this.expanded;
    this.expanded = expanded;
    const delta = rows === this.rows ? null : deltaFrom(rows, this.rows);
    if (rows !== this.rows && !delta) this.measureAll(rows, wrap);
    else {
      if (delta) this.follow(rows, delta);
      if (!sameWrap(wrap, this.wrap)) this.rewrap(wrap);
      // A tree opened or closed: the lines stay, their heights are added up again.
      else if (reExpanded) this.addUp(0);
    }
    const oneLine = this.tall === 0 && expanded.size === 0;
    return new Offsets(oneLine ? null : this.sums, this.start, rows.length, reversed);
  }

  private measureAll(rows: readonly LogRow[], wrap: Wrap): void {
    this.rows = rows;
    this.wrap = wrap;
    this.start = 0;
    this.tall = 0;
    this.reserve(0);
    this.sums[0] = 0;
    this.measure(0);
  }

  /** Leaves the evicted and replaced rows behind and measures the new ones. */
  private follow(rows: readonly LogRow[], { from, evicted, kept }: RowsDelta): void {
    const lines = this.lines;
    for (let i = 0; i < evicted; i++) if (lines[this.start + i] > 1) this.tall--;
    for (let i = evicted + kept; i < from.length; i++) if (lines[this.start + i] > 1) this.tall--;
    this.rows = rows;
    this.start += evicted;
    this.reserve(kept);
    this.measure(kept);
  }

  /** Counts the lines of rows `from` on, and adds up their heights. */
  private measure(from: number): void {
    const rows = this.rows as readonly LogRow[];
    for (let k = from; k < rows.length; k++) if (this.countLines(rows[k], this.start + k) > 1) this.tall++;
    this.addUp(from);
  }

  /**
   * Counts the lines again for another wrap width. A row whose every line fits both widths
   * (most rows, when the window is resized) keeps its count without its text being read.
   */
  private rewrap(wrap: Wrap): void {
    const old = this.wrap;
    const fits =
      old.columns > 0 && wrap.columns > 0 && old.categories === wrap.categories
        ? Math.min(old.columns, old.dataColumns, wrap.columns, wrap.dataColumns)
        : 0;
    this.wrap = wrap;
    const rows = this.rows as readonly LogRow[];
    const { lines, longest, start } = this;
    for (let k = 0; k < rows.length; k++) {
      if (longest[start + k] <= fits) continue;
      const before = lines[start + k];
      this.tall += Number(this.countLines(rows[k], start + k) > 1) - Number(before > 1);
    }
    this.addUp(0);
  }

  /** Counts a row's lines at `columns` into entry `at`, noting its longest line when wrapping. */
  private countLines(row: LogRow, at: number): number {
    if (row.kind === 'gap' || this.wrap.columns === 0) {
      this.longest[at] = row.kind === 'gap' ? 0 : UNKNOWN;
      return (this.lines[at] = textLines(row, this.wrap));
    }
    const text = row.text;
    this.longest[at] = longestLine(text);
    return (this.lines[at] = wrappedLines(row, text, this.wrap));
  }

  /** Running heights from row `from` on, of the lines counted (read from the rows only for open trees). */
  private addUp(from: number): void {
    const rows = this.rows as readonly LogRow[];
    const { lines, sums, start, expanded } = this;
    const trees = expanded.size > 0;
    for (let k = from; k < rows.length; k++) {
      const height = trees ? heightOf(rows[k], lines[start + k], expanded) : lines[start + k] * LINE_HEIGHT;
      sums[start + k + 1] = sums[start + k] + height;
    }
  }

  /**
   * Room for the rows from `start` on, keeping the first `kept` rows' entries (and the
   * running height after them); when full, those move to the front of new buffers.
   */
  private reserve(kept: number): void {
    const length = (this.rows as readonly LogRow[]).length;
    if (this.start + length + 1 <= this.sums.length) return;
    const capacity = Math.max(1024, 2 * (length + 1));
    const lines = new Int32Array(capacity);
    const longest = new Int32Array(capacity);
    const sums = new Float64Array(capacity);
    lines.set(this.lines.subarray(this.start, this.start + kept));
    longest.set(this.longest.subarray(this.start, this.start + kept));
    sums.set(this.sums.subarray(this.start, this.start + kept + 1));
    this.lines = lines;
    this.longest = longest;
    this.sums = sums;
    this.start = 0;
  }
}
