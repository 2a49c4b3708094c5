import { LogRow } from '../log-viewer/log-line';
import { deltaOf, noteDelta } from '../log-viewer/row-deltas';

/**
 * `items` as a proxy that counts reads of its elements, with the same delta noted (when it is an
 * array of rows): a test can tell that a frame read only the few new rows, and that a scan or a
 * copy of every row (whose cost grows with the log) has not come back.
 */
export function countingReads<T>(items: T[]): { items: T[]; reads: () => number } {
  let reads = 0;
  const proxy = new Proxy(items, {
    get(target, property, receiver) {
      if (typeof property === 'string' && /^\d+$/.test(property)) reads++;
      return Reflect.get(target, property, receiver);
    },
  });
  // Rows say how they came from the last frame's (`noteDelta`): the proxy must say the same.
  const delta = deltaOf(items as unknown as readonly LogRow[]);
  if (delta) noteDelta(proxy as unknown as readonly LogRow[], delta);
  return { items: proxy, reads: () => reads };
}
