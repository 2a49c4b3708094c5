import { LogRow } from './log-line';
import { deltaFrom } from './row-deltas';

/**
 * Where a row is (by key) in each frame's rows, found from where it was in the last frame's.
 * While following, a frame's rows are the last frame's with some evicted at the front and new
 * ones after the kept ones (`deltaFrom`): a kept row has moved up by the evicted count, and a
 * row that was not kept can only be among the new ones. So a selection held while the log
 * grows costs a read and the new rows each frame, not a search of every row.
 */
export class RowFinder {
  private last: { rows: readonly LogRow[]; key: string; index: number } | null = null;

  /** The index of the row with `key` in `rows` (in their own order), or -1. */
  indexOf(rows: readonly LogRow[], key: string): number {
    const index = this.find(rows, key);
    this.last = { rows, key, index };
    return index;
  }

  private find(rows: readonly LogRow[], key: string): number {
    const last = this.last?.key === key ? this.last : null;
    if (last?.rows === rows) return last.index;
    const delta = last && deltaFrom(rows, last.rows);
    // Other rows (a filter changed), or another key: no telling where it is.
    if (!last || !delta) return indexOfKey(rows, key, 0);
    const moved = last.index - delta.evicted;
    if (last.index !== -1 && moved >= 0 && moved < delta.kept) return moved;
    // Evicted, not there before, or in the tail a late row was merged into: only the new rows can hold it.
    return indexOfKey(rows, key, delta.kept);
  }
}

function indexOfKey(rows: readonly LogRow[], key: string, from: number): number {
  for (let i = from; i < rows.length; i++) if (rows[i].key === key) return i;
  return -1;
}
