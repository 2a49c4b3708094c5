import fc from 'fast-check';
import { entry } from '../testing/sessions';
import { binRows, VolumeBins } from './histogram-bins';
import { gapLine, LogLine, logLine, LogRow } from './log-line';
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

const FAR = Date.UTC(2001, 0, 1) - T0;

// Found by the operator audit: one entry with a client time in 2001 among 200 of today squashed
// every bar into one at the right edge.
describe('binRows with a far-off client time', () => {
  const today = () => Array.from({ length: 200 }, (_, i) => at(i * 10, i % 50 === 0 ? 'error' : 'info'));
  const total = (bins: { total: number }[]) => bins.reduce((sum, bin) => sum + bin.total, 0);

  it('spans the bulk of the entries and counts the far one in an edge bin before it', () => {
    const rows = [...today(), at(FAR, 'warn')];
    const bins = binRows(rows);
    const [edge, ...bulk] = bins;
    expect(edge).toEqual({
      from: T0 + FAR,
      to: T0 + FAR,
      counts: { debug: 0, info: 0, warn: 1, error: 0 },
      total: 1,
      outside: 'before',
    });
    // 2 s of entries in 50 ms bins, as without the far one.
    expect(bulk).toEqual(binRows(today()));
    expect(bulk).toHaveLength(40);
    expect(total(bins)).toBe(201);
  });

  it('does so whether the far entry comes first or last, before or after the bulk', () => {
    const later = at(Date.UTC(9999, 11, 31) - T0);
    const rows = [at(FAR), ...today(), later];
    const bins = binRows(rows);
    expect(bins.map((bin) => bin.outside ?? 'bulk')).toEqual(['before', ...Array(40).fill('bulk'), 'after']);
    expect(bins[bins.length - 1]).toMatchObject({ from: later.timeMs, to: later.timeMs, total: 1 });
    expect(total(bins)).toBe(202);
  });

  it('leaves a log spread out as it is: no entry is far from the bulk', () => {
    const rows = [at(0), at(60_000), at(8 * 3_600_000), at(8 * 3_600_000 + 1), at(23 * 3_600_000)];
    expect(binRows(rows).some((bin) => bin.outside)).toBe(false);
    expect(binRows(today()).some((bin) => bin.outside)).toBe(false);
  });
});

describe('VolumeBins, the histogram kept up to date while following', () => {
  it('gives the bins of a full count after every frame of appends and evictions', () => {
    const frame = fc.record({
      evict: fc.nat(30),
      add: fc.array(
        fc.record({
          // Now and then a time years later (a client's clock), after which the others come on.
          ms: fc.oneof(
            { weight: 30, arbitrary: fc.nat(2_000) },
            { weight: 1, arbitrary: fc.constant(5 * 365 * 86_400_000) },
          ),
          level: fc.constantFrom('info' as const, 'warn' as const, 'error' as const),
        }),
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

  it('reads only the rows that came and went and a few at each end while far-off entries lie there', () => {
    const volume = new VolumeBins();
    let rows: readonly LogRow[] = [at(FAR), ...Array.from({ length: 1_000 }, (_, i) => at(i * 10))];
    volume.bins(rows);
    let reads = 0;
    for (const row of rows)
      Object.defineProperty(row, 'timeMs', { get: () => (reads++, (row as { ms?: number }).ms), configurable: true });
    rows.forEach((row, i) => Object.assign(row, { ms: i === 0 ? T0 + FAR : T0 + (i - 1) * 10 }));
    rows = step(rows, 0, [{ ms: 10, level: 'error' }]);
    const bins = volume.bins(rows);
    expect(bins[0]).toMatchObject({ outside: 'before', total: 1 });
    expect(bins.reduce((sum, bin) => sum + bin.total, 0)).toBe(1_002);
    expect(reads).toBeLessThan(80);
    expect(bins).toEqual(binRows(rows));
  });

  it('counts every row again when the rows are out of time order or came some other way', () => {
    const volume = new VolumeBins();
    const ordered: LogRow[] = [at(0), at(1_000), at(2_000)];
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
    const row = fc.record({
      ms: fc.oneof(
        { weight: 20, arbitrary: fc.integer({ min: -3_000, max: 600_000 }) },
        { weight: 1, arbitrary: fc.constantFrom(FAR, -FAR, 40 * 86_400_000) },
      ),
      gap: fc.boolean(),
      warn: fc.boolean(),
    });
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

  it('gives back the count of the rows before a frame that needed another width, as it was', () => {
    const volume = new VolumeBins();
    const before = step(
      [],
      0,
      Array.from({ length: 100 }, () => ({ ms: 10, level: 'info' as const })),
    );
    volume.bins(before);
    // A minute later: the bins widen, and the frame's rows (counted in at the old width) are counted out again.
    const wider = step(before, 3, [{ ms: 60_000, level: 'error' }]);
    expect(volume.bins(wider)).toEqual(binRows(wider));
    expect(volume.bins(before)).toEqual(binRows(before));
    // Following on from those rows counts on from their bins.
    const next = step(before, 2, [{ ms: 10, level: 'warn' }]);
    expect(volume.bins(next)).toEqual(binRows(next));
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
  const all = rows.filter((row) => row.kind === 'entry');
  if (all.length === 0) return [];
  // The bulk: all but the earliest and latest 1 % (at least one when there are three, at most 25);
  // far from it: more than ten times its span, and more than a day, before or after it.
  const sorted = all.map((row) => row.timeMs).sort((a, b) => a - b);
  const k = Math.min(25, Math.ceil(sorted.length / 100), Math.floor((sorted.length - 1) / 2));
  const [lo, hi] = [sorted[k], sorted[sorted.length - 1 - k]];
  const reach = Math.max(86_400_000, 10 * (hi - lo));
  const edge = (where: 'before' | 'after', list: typeof all) => {
    if (list.length === 0) return [];
    const counts = { debug: 0, info: 0, warn: 0, error: 0 };
    for (const row of list) counts[row.severity]++;
    const times = list.map((row) => row.timeMs);
    return [{ from: Math.min(...times), to: Math.max(...times), counts, total: list.length, outside: where }];
  };
  const before = edge(
    'before',
    all.filter((row) => row.timeMs < lo - reach),
  );
  const after = edge(
    'after',
    all.filter((row) => row.timeMs > hi + reach),
  );
  const entries = all.filter((row) => row.timeMs >= lo - reach && row.timeMs <= hi + reach);
  return [...before, ...bulkBins(entries), ...after];
}

function bulkBins(entries: LogLine[]) {
  const first = Math.min(...entries.map((row) => row.timeMs));
  const last = Math.max(...entries.map((row) => row.timeMs));
  const steps = [
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
    900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
  ];
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
