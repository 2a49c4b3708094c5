import { EntryBatch, LEVEL_CODE } from '../lib/entry-batch';

/** A fixed time the conformance suites write entries at. */
export const T0 = Date.UTC(2026, 10, 24, 12);

/** A batch of info entries named `${prefix}${i}` for i in [from, to), at T0 + i ms. */
export function infoBatch(from: number, to: number, prefix = 'm'): EntryBatch {
  const count = Math.max(0, to - from);
  return {
    messages: Array.from({ length: count }, (_, i) => `${prefix}${from + i}`),
    levels: new Array<number>(count).fill(LEVEL_CODE.info),
    times: Array.from({ length: count }, (_, i) => T0 + from + i),
    data: null,
  };
}

/** A batch with one entry per (level, message) pair. */
export function levelBatch(entries: [keyof typeof LEVEL_CODE, string][]): EntryBatch {
  return {
    messages: entries.map(([, message]) => message),
    levels: entries.map(([level]) => LEVEL_CODE[level]),
    times: entries.map(() => T0),
    data: null,
  };
}
