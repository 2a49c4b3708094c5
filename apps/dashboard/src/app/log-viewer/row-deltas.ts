import { LogRow } from './log-line';

/**
 * How a rows array came from the one before it (`from`): the first `evicted` rows of `from`
 * are gone, its next `kept` rows start the new array in the same order, and every row of the
 * new array after those is new (or merged into place). While following, `kept` is nearly all
 * of it, so whoever derives something from the rows can update it from the few rows that
 * changed instead of reading every row on every frame.
 */
export interface RowsDelta {
  readonly from: readonly LogRow[];
  readonly evicted: number;
  readonly kept: number;
}

const deltas = new WeakMap<readonly LogRow[], RowsDelta>();

/** Notes how `rows` came from `delta.from` (the arrays are never changed after this). */
export function noteDelta(rows: readonly LogRow[], delta: RowsDelta): void {
  deltas.set(rows, delta);
}

/** How `rows` came from the array before it, when that was noted. */
export function deltaOf(rows: readonly LogRow[]): RowsDelta | null {
  return deltas.get(rows) ?? null;
}

/** How `rows` came from `from`, when it was noted; null when unknown (start over from every row). */
export function deltaFrom(rows: readonly LogRow[], from: readonly LogRow[] | null): RowsDelta | null {
  const delta = deltas.get(rows);
  return delta && delta.from === from ? delta : null;
}

/** Calls `visit` with each row of `delta.from` that is not in the new array: the evicted ones and the replaced tail. */
export function forEachRemoved(delta: RowsDelta, visit: (row: LogRow) => void): void {
  const { from, evicted, kept } = delta;
  for (let i = 0; i < evicted; i++) visit(from[i]);
  for (let i = evicted + kept; i < from.length; i++) visit(from[i]);
}
