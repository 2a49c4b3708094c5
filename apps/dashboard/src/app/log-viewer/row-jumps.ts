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

/** The first entry at or after `time`, as shown: the oldest such, in either order; -1 if none. */
export function indexAtTime(rows: OrderedView<LogRow>, time: number): number {
  const index = rows.items.findIndex((row) => row.timeMs >= time);
  return index === -1 ? -1 : rows.itemIndex(index);
}
