import { LogRow } from './log-line';
import { OrderedView } from './ordered-view';

/**
 * The next error after row `from` (forward), or the one before it, in the order shown; -1 if
 * there is none. `from` may lie outside the rows (-1: before the first).
 */
export function errorIndexFrom(rows: OrderedView<LogRow>, from: number, forward: boolean): number {
  const isError = (row: LogRow | undefined) => row?.kind === 'entry' && row.severity === 'error';
  const step = forward ? 1 : -1;
  const start = forward ? Math.max(0, from + 1) : Math.min(from, rows.length) - 1;
  for (let i = start; i >= 0 && i < rows.length; i += step) if (isError(rows.at(i))) return i;
  return -1;
}

/**
 * The entry nearest at or after `time` (the earliest in the log among equals), as shown; -1 if
 * none. Not merely the first row at or after it: clients may set times out of order, and a bar
 * of the histogram must open on one of its own entries, not on a later bar's that comes first.
 */
export function indexAtTime(rows: OrderedView<LogRow>, time: number): number {
  const items = rows.items;
  let best = -1;
  for (let i = 0; i < items.length; i++) {
    const rowTime = items[i].timeMs;
    if (!(rowTime >= time) || (best !== -1 && rowTime >= items[best].timeMs)) continue;
    best = i;
    // Nothing after it can be nearer.
    if (rowTime === time) break;
  }
  return best === -1 ? -1 : rows.itemIndex(best);
}
