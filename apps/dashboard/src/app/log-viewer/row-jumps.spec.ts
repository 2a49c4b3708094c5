import { entry } from '../testing/sessions';
import { gapLine, logLine, LogRow } from './log-line';
import { OrderedView } from './ordered-view';
import { errorIndexFrom, indexAtTime } from './row-jumps';

const T0 = Date.UTC(2026, 11, 2, 9);
const at = (seq: number, second: number, level: 'info' | 'error' = 'info') =>
  logLine('s', { ...entry(seq, `line ${seq}`, level), time: new Date(T0 + second * 1000).toISOString() });
/** Oldest first: info, error, gap, info, error. */
const rows: LogRow[] = [at(0, 0), at(1, 1, 'error'), gapLine('s', 2, 3, T0 + 2000), at(3, 3), at(4, 4, 'error')];

describe('row jumps', () => {
  it('finds the next and the previous error from a row, in the order shown', () => {
    const oldestFirst = new OrderedView(rows, false);
    expect(errorIndexFrom(oldestFirst, -1, true)).toBe(1);
    expect(errorIndexFrom(oldestFirst, 1, true)).toBe(4);
    expect(errorIndexFrom(oldestFirst, 4, true)).toBe(-1);
    expect(errorIndexFrom(oldestFirst, 4, false)).toBe(1);
    expect(errorIndexFrom(oldestFirst, 1, false)).toBe(-1);
    const newestFirst = new OrderedView(rows, true);
    expect(errorIndexFrom(newestFirst, -1, true)).toBe(0);
    expect(errorIndexFrom(newestFirst, 0, true)).toBe(3);
  });

  it('finds the oldest entry at or after a time, in either order', () => {
    expect(indexAtTime(new OrderedView(rows, false), T0 + 2500)).toBe(3);
    expect(indexAtTime(new OrderedView(rows, true), T0 + 2500)).toBe(1);
    expect(indexAtTime(new OrderedView(rows, false), T0 + 9000)).toBe(-1);
  });

  // Found by the time audit: a bar of the histogram opened on a later bar's entry that came first in the log.
  it('finds the entry nearest at or after a time when clients set times out of order', () => {
    const outOfOrder: LogRow[] = [at(0, 9), at(1, 1), at(2, 3), at(3, 1)];
    expect(indexAtTime(new OrderedView(outOfOrder, false), T0 + 1000)).toBe(1);
    expect(indexAtTime(new OrderedView(outOfOrder, false), T0 + 2000)).toBe(2);
    expect(indexAtTime(new OrderedView(outOfOrder, true), T0 + 2000)).toBe(1);
  });
});
