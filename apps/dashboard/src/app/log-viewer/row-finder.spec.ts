import fc from 'fast-check';
import { countingReads } from '../testing/counting-reads';
import { entry } from '../testing/sessions';
import { logLine, LogRow } from './log-line';
import { noteDelta } from './row-deltas';
import { RowFinder } from './row-finder';

let seq = 0;
const make = (count: number): LogRow[] => Array.from({ length: count }, () => logLine('s', entry(seq++, 'line')));

/** `rows` with the first `evicted` gone and `incoming` after the first `kept` of the rest, as `LogSources` notes it. */
function followOn(rows: readonly LogRow[], evicted: number, incoming: LogRow[], kept = rows.length - evicted) {
  const next = rows.slice(evicted, evicted + kept).concat(incoming);
  noteDelta(next, { from: rows, evicted, kept });
  return next;
}

const indexOfKey = (rows: readonly LogRow[], key: string) => rows.findIndex((row) => row.key === key);

describe('RowFinder', () => {
  it('finds a row, and -1 for a key not there', () => {
    const finder = new RowFinder();
    const rows = make(10);
    expect(finder.indexOf(rows, rows[7].key)).toBe(7);
    expect(finder.indexOf(rows, rows[2].key)).toBe(2);
    expect(finder.indexOf(rows, 'nowhere:1')).toBe(-1);
  });

  it('follows a kept row from frame to frame reading only the new rows', () => {
    const finder = new RowFinder();
    let rows = make(10_000);
    const key = rows[6_000].key;
    expect(finder.indexOf(rows, key)).toBe(6_000);
    for (let frame = 1; frame <= 20; frame++) {
      const next = countingReads(followOn(rows, 10, make(12)));
      expect(finder.indexOf(next.items, key)).toBe(6_000 - 10 * frame);
      expect(next.reads()).toBe(0);
      rows = next.items;
    }
  });

  it('looks for a row not there (evicted, or yet to come) among the new rows only', () => {
    const rows = make(5_000);
    const gone = rows[1].key;
    // Among the 30 rows of the second frame below.
    const coming = `s:${seq + 20}`;
    const first = followOn(rows, 2, make(5));
    const finders = { gone: new RowFinder(), coming: new RowFinder() };
    expect(finders.gone.indexOf(first, gone)).toBe(-1);
    expect(finders.coming.indexOf(first, coming)).toBe(-1);
    const second = countingReads(followOn(first, 0, make(30)));
    expect(finders.gone.indexOf(second.items, gone)).toBe(-1);
    expect(finders.coming.indexOf(second.items, coming)).toBe(first.length + 15);
    expect(second.reads()).toBe(30 + 16);
  });

  it('answers as a search of every row after any sequence of frames', () => {
    type Step =
      | { kind: 'follow'; evict: number; add: number; replace: number; pick: number }
      | { kind: 'filter'; keep: number; pick: number };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({
        kind: fc.constant('follow' as const),
        evict: fc.nat(5),
        add: fc.nat(6),
        replace: fc.nat(3),
        pick: fc.nat(),
      }),
      fc.record({ kind: fc.constant('filter' as const), keep: fc.integer({ min: 2, max: 3 }), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.array(step, { maxLength: 30 }),
        fc.nat(),
        (start, steps, first) => {
          const finder = new RowFinder();
          let rows = make(start);
          // Keys of rows gone, there, and yet to come.
          const pool = () => Array.from({ length: 80 }, (_, i) => `s:${seq - 40 + i}`);
          let key = rows[first % rows.length].key;
          expect(finder.indexOf(rows, key)).toBe(indexOfKey(rows, key));
          for (const s of steps) {
            if (s.kind === 'follow') {
              const evicted = Math.min(s.evict, rows.length);
              const kept = Math.max(0, rows.length - evicted - s.replace);
              rows = followOn(rows, evicted, [...make(s.add), ...rows.slice(evicted + kept)], kept);
            } else rows = rows.filter((_, i) => i % s.keep === 0);
            // Mostly the same key (a selection held), sometimes another.
            if (s.pick % 4 === 0) key = pool()[s.pick % 80];
            expect(finder.indexOf(rows, key)).toBe(indexOfKey(rows, key));
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
