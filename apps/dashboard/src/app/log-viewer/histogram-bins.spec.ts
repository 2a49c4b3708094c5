import fc from 'fast-check';
import { entry } from '../testing/sessions';
import { binRows, VolumeBins } from './histogram-bins';
import { gapLine, logLine, LogRow } from './log-line';
import { noteDelta } from './row-deltas';

const T0 = Date.UTC(2026, 11, 2, 9);
let seq = 0;
const at = (ms: number, level: 'info' | 'warn' | 'error' = 'info') =>
  logLine('s', { ...entry(seq++, 'm', level), time: new Date(T0 + ms).toISOString() });

/** One frame of a follow: `evict` rows leave the front, `add` rows (ms after the last) arrive. */
function step(rows: readonly LogRow[], evict: number, add: { ms: number; level: 'info' | 'warn' | 'error' }[]) {
  const evicted = Math.min(evict, rows.length);
  let time = rows.length > 0 ? rows[rows.length - 1].timeMs - T0 : 0;
  const next = rows.slice(evicted).concat(add.map(({ ms, level }) => at((time += ms), level)));
  noteDelta(next, { from: rows, evicted, kept: rows.length - evicted });
  return next;
}

describe('VolumeBins, the histogram kept up to date while following', () => {
  it('gives the bins of a full count after every frame of appends and evictions', () => {
    const frame = fc.record({
      evict: fc.nat(30),
      add: fc.array(
        fc.record({ ms: fc.nat(2_000), level: fc.constantFrom('info' as const, 'warn' as const, 'error' as const) }),
        { maxLength: 30 },
      ),
    });
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 40 }), (frames) => {
        const volume = new VolumeBins();
        let rows: readonly LogRow[] = [];
        for (const { evict, add } of frames) {
          rows = step(rows, evict, add);
          expect(volume.bins(rows)).toEqual(binRows(rows));
        }
      }),
    );
  });

  it('reads only the rows that came and went, not every row, while the width stays', () => {
    const volume = new VolumeBins();
    let rows: readonly LogRow[] = Array.from({ length: 1_000 }, (_, i) => at(i * 10));
    volume.bins(rows);
    let reads = 0;
    for (const row of rows)
      Object.defineProperty(row, 'timeMs', { get: () => (reads++, (row as { ms?: number }).ms), configurable: true });
    rows.forEach((row, i) => Object.assign(row, { ms: T0 + i * 10 }));
    rows = step(rows, 5, [{ ms: 10, level: 'error' }]);
    const bins = volume.bins(rows);
    expect(bins.reduce((sum, bin) => sum + bin.counts.error, 0)).toBe(1);
    expect(bins.reduce((sum, bin) => sum + bin.total, 0)).toBe(996);
    expect(reads).toBeLessThan(50);
  });

  it('counts every row again when the rows are out of time order or came some other way', () => {
    const volume = new VolumeBins();
    const ordered = [at(0), at(1_000), at(2_000)];
    volume.bins(ordered);
    // A client-set time older than the newest row, appended at the end (one session's log).
    const late = ordered.concat([at(-5_000, 'warn')]);
    noteDelta(late, { from: ordered, evicted: 0, kept: 3 });
    expect(volume.bins(late)).toEqual(binRows(late));
    const more = late.concat([at(9_000), gapLine('s', 2, 99, T0 + 9_000)]);
    noteDelta(more, { from: late, evicted: 0, kept: 4 });
    expect(volume.bins(more)).toEqual(binRows(more));
    // No delta noted: a filter changed, say.
    const other = [at(0, 'error'), at(50)];
    expect(volume.bins(other)).toEqual(binRows(other));
  });

  it('counts as a plain count does, in one pass when in time order and in two when not', () => {
    const row = fc.record({ ms: fc.integer({ min: -3_000, max: 600_000 }), gap: fc.boolean(), warn: fc.boolean() });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 60 }), fc.boolean(), (list, sorted) => {
        const times = list.map((item) => item.ms);
        if (sorted) times.sort((a, b) => a - b);
        const rows = list.map((item, i) =>
          item.gap ? gapLine('s', 1, i, T0 + times[i]) : at(times[i], item.warn ? 'warn' : 'info'),
        );
        expect(binRows(rows)).toEqual(plainBins(rows));
      }),
    );
  });

  it('gives back the count of the rows a filter was typed on when it is cleared, and any other count as a full one', () => {
    const move = fc.oneof(
      fc.record({ kind: fc.constant('step' as const), evict: fc.nat(20), add: fc.nat(20) }),
      fc.record({ kind: fc.constant('filter' as const), every: fc.integer({ min: 2, max: 5 }) }),
      fc.record({ kind: fc.constant('clear' as const) }),
    );
    fc.assert(
      fc.property(fc.array(move, { minLength: 1, maxLength: 30 }), (moves) => {
        const volume = new VolumeBins();
        let all: readonly LogRow[] = step(
          [],
          0,
          Array.from({ length: 40 }, (_, i) => ({ ms: 300 * i, level: 'info' })),
        );
        let shown = all;
        for (const next of moves) {
          if (next.kind === 'step') {
            const add = Array.from(
              { length: next.add },
              (_, i) => ({ ms: 250, level: i % 3 ? 'info' : 'warn' }) as const,
            );
            const before = all;
            all = step(all, next.evict, add);
            // The full view follows; a filtered one keeps its rows until typed on again.
            if (shown === before) shown = all;
          } else if (next.kind === 'filter') shown = all.filter((_, i) => i % next.every === 0);
          else shown = all;
          expect(volume.bins(shown)).toEqual(binRows(shown));
        }
      }),
    );
  });
});

/** The bins counted the plain way: the span of every entry, each entry into its bin. */
function plainBins(rows: readonly LogRow[]) {
  const entries = rows.filter((row) => row.kind === 'entry');
  if (entries.length === 0) return [];
  const first = Math.min(...entries.map((row) => row.timeMs));
  const last = Math.max(...entries.map((row) => row.timeMs));
  const steps = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000];
  const width = steps.find((size) => (last - first + 1) / size <= 60) ?? Math.ceil((last - first + 1) / 60);
  const firstBin = Math.floor(first / width);
  return Array.from({ length: Math.floor(last / width) - firstBin + 1 }, (_, i) => {
    const inBin = entries.filter((row) => Math.floor(row.timeMs / width) === firstBin + i);
    const counts = { debug: 0, info: 0, warn: 0, error: 0 };
    for (const row of inBin) counts[row.severity]++;
    return {
      from: (firstBin + i) * width,
      to: (firstBin + i + 1) * width - 1,
      counts,
      total: inBin.length,
    };
  });
}
