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

/**
 * How many arrays back a chain of noted deltas reaches (`deltaFrom` follows it that far). Each
 * delta holds the array before it, so an unbounded chain kept every frame's rows array alive
 * while following: 80 KB a frame for one full session's 10,000 rows, 1.6 MB for a merged view
 * of twenty (found by the stop 51 audit: the tab's heap grew ~2.5 MB a second, for good).
 */
export const DELTA_DEPTH = 8;

/**
 * Notes how `rows` came from `delta.from` (the arrays are never changed after this), and
 * lets go of the chain's link DELTA_DEPTH arrays back, so older arrays can be collected.
 */
export function noteDelta(rows: readonly LogRow[], delta: RowsDelta): void {
  deltas.set(rows, delta);
  let at = delta.from;
  for (let step = 1; step < DELTA_DEPTH; step++) {
    const before = deltas.get(at);
    if (!before) return;
    at = before.from;
  }
  deltas.delete(at);
}

/** How `rows` came from the array before it, when that was noted. */
export function deltaOf(rows: readonly LogRow[]): RowsDelta | null {
  return deltas.get(rows) ?? null;
}

/**
 * How `rows` came from `from`, when it was noted, directly or across up to DELTA_DEPTH arrays
 * between them (frames a reader skipped: the rows of `from` every step kept are kept); null when
 * unknown or nothing of `from` is kept (start over from every row).
 */
export function deltaFrom(rows: readonly LogRow[], from: readonly LogRow[] | null): RowsDelta | null {
  const delta = deltas.get(rows);
  if (!delta || delta.from === from) return delta ?? null;
  if (from === null) return null;
  const steps = [delta];
  for (let at = delta.from; at !== from; ) {
    const before = deltas.get(at);
    if (!before || steps.length === DELTA_DEPTH) return null;
    steps.push(before);
    at = before.from;
  }
  // From the oldest step on: the rows of `from` that survive every step.
  let evicted = 0;
  let kept = from.length;
  for (let i = steps.length - 1; i >= 0; i--) {
    evicted += steps[i].evicted;
    kept = Math.min(steps[i].kept, kept - steps[i].evicted);
  }
  return kept > 0 ? { from, evicted, kept } : null;
}

/** Calls `visit` with each row of `delta.from` that is not in the new array: the evicted ones and the replaced tail. */
export function forEachRemoved(delta: RowsDelta, visit: (row: LogRow) => void): void {
  const { from, evicted, kept } = delta;
  for (let i = 0; i < evicted; i++) visit(from[i]);
  for (let i = evicted + kept; i < from.length; i++) visit(from[i]);
}
