import { lineCount, LogRow } from './log-line';

/** Height of one line of log text, in px. */
export const LINE_HEIGHT = 20;
/** The inline data tree shows at most this many lines, and scrolls inside beyond. */
export const MAX_DATA_LINES = 12;

export interface LayoutOptions {
  /** Characters that fit on one line of the message column; 0 when not wrapping. */
  wrapColumns: number;
  /** Keys of rows whose data tree is open, with the number of lines the tree has. */
  expanded: ReadonlyMap<string, number>;
}

/**
 * The height of a row: a line per line of its message (a stack trace shows its lines even
 * unwrapped), each as many as its wrapped text needs, plus an open data tree.
 */
export function rowHeight(row: LogRow, options: LayoutOptions): number {
  if (row.kind === 'gap') return LINE_HEIGHT;
  const lines = options.wrapColumns > 0 ? lineCount(row.text, options.wrapColumns) : row.lines;
  const dataLines = options.expanded.get(row.key);
  const data = dataLines === undefined ? 0 : Math.min(dataLines, MAX_DATA_LINES) * LINE_HEIGHT + 8;
  return lines * LINE_HEIGHT + data;
}

/**
 * Where each row starts (`offsets[i]`) and the total height (`offsets[rows.length]`).
 * Null when every row is one line high, so the common case costs next to nothing.
 */
export function rowOffsets(rows: readonly LogRow[], options: LayoutOptions): Float64Array | null {
  if (options.wrapColumns === 0 && options.expanded.size === 0 && rows.every(isOneLine)) return null;
  const offsets = new Float64Array(rows.length + 1);
  for (let i = 0; i < rows.length; i++) offsets[i + 1] = offsets[i] + rowHeight(rows[i], options);
  return offsets;
}

/** The row at height `y`. */
export function indexAt(offsets: Float64Array | null, count: number, y: number): number {
  if (!offsets) return Math.min(Math.max(0, Math.floor(y / LINE_HEIGHT)), Math.max(0, count - 1));
  let low = 0;
  let high = count - 1;
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (offsets[mid] <= y) low = mid;
    else high = mid - 1;
  }
  return Math.max(0, low);
}

export function offsetOf(offsets: Float64Array | null, index: number): number {
  return offsets ? offsets[index] : index * LINE_HEIGHT;
}

export function totalHeight(offsets: Float64Array | null, count: number): number {
  return offsets ? offsets[count] : count * LINE_HEIGHT;
}

function isOneLine(row: LogRow): boolean {
  return row.kind === 'gap' || row.lines === 1;
}
