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
});
