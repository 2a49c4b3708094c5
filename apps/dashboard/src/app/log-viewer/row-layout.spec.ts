import fc from 'fast-check';
import { countingReads } from '../testing/counting-reads';
import { entry } from '../testing/sessions';
import { gapLine, logLine, LogRow } from './log-line';
import { deltaOf, noteDelta } from './row-deltas';
import { LayoutOptions, LINE_HEIGHT, MAX_DATA_LINES, Offsets, RowLayout } from './row-layout';

const MESSAGES = [
  'one line',
  'x'.repeat(45),
  'Exception\n  at a\n  at b\n',
  'ends in a newline\n',
  'short\n' + 'y'.repeat(30),
  '',
  '\n\n',
];
let seq = 0;
/** A row of each kind in turn: one-liners, long lines, stack traces, gaps. */
const row = (i: number): LogRow =>
  i % 9 === 8 ? gapLine('s', 3, ++seq, 0) : logLine('s', entry(++seq, MESSAGES[i % MESSAGES.length]));
const oneLiner = (): LogRow => logLine('s', entry(++seq, 'one line'));
const make = (count: number, of = row) => Array.from({ length: count }, (_, i) => of(i));

/** `rows` with the first `evicted` gone and `incoming` after the first `kept` of the rest, as `LogSources` notes it. */
function followOn(rows: readonly LogRow[], evicted: number, incoming: LogRow[], kept = rows.length - evicted) {
  const next = rows.slice(evicted, evicted + kept).concat(incoming);
  noteDelta(next, { from: rows, evicted, kept });
  return next;
}

/** Lines of `part` at `columns`, character by character: spaces after a full line hang past it. */
function wrapped(part: string, columns: number): number {
  let lines = 1;
  let used = 0;
  for (const char of part) {
    if (used === columns) {
      if (char === ' ') continue;
      lines++;
      used = 0;
    }
    used++;
  }
  return lines;
}

/** The layout as it was before it was incremental: every row measured (text split) every time, in the order shown. */
function reference(shown: readonly LogRow[], options: LayoutOptions) {
  const height = (row: LogRow): number => {
    if (row.kind === 'gap') return LINE_HEIGHT;
    let lines = row.lines;
    if (options.wrapColumns > 0) {
      lines = 0;
      const parts = row.text.split('\n');
      if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
      for (const part of parts) lines += wrapped(part, options.wrapColumns);
    }
    const dataLines = options.expanded.get(row.key);
    const data = dataLines === undefined ? 0 : Math.min(dataLines, MAX_DATA_LINES) * LINE_HEIGHT + 8;
    return lines * LINE_HEIGHT + data;
  };
  const offsets = [0];
  for (const row of shown) offsets.push(offsets[offsets.length - 1] + height(row));
  const indexAt = (y: number): number => {
    let low = 0;
    let high = shown.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >>> 1;
      if (offsets[mid] <= y) low = mid;
      else high = mid - 1;
    }
    return Math.max(0, low);
  };
  return { offsets, indexAt };
}

/** `offsets` answers as the full recompute of `rows` (in time order) does, shown as `reversed` says. */
function expectSameAsFull(offsets: Offsets, rows: readonly LogRow[], options: LayoutOptions, reversed = false): void {
  const shown = reversed ? rows.slice().reverse() : rows;
  const full = reference(shown, options);
  expect(offsets.count).toBe(rows.length);
  expect(Array.from({ length: rows.length + 1 }, (_, i) => offsets.offsetOf(i))).toEqual(full.offsets);
  expect(offsets.height).toBe(full.offsets[rows.length]);
  const ys = [-10, ...full.offsets.flatMap((y) => [y - 1, y, y + 1]), full.offsets[rows.length] + 50];
  expect(ys.map((y) => offsets.indexAt(y))).toEqual(ys.map(full.indexAt));
}

/** `rows` (the same rows, the same delta) with each entry a proxy that counts reads of its text. */
function watchingText(rows: LogRow[]): { rows: LogRow[]; reads: () => number } {
  let reads = 0;
  const watched = rows.map((row) =>
    row.kind === 'gap'
      ? row
      : new Proxy(row, {
          get(target, property, receiver) {
            if (property === 'text') reads++;
            return Reflect.get(target, property, receiver);
          },
        }),
  );
  const delta = deltaOf(rows);
  if (delta) noteDelta(watched, delta);
  return { rows: watched, reads: () => reads };
}

const plain: LayoutOptions = { wrapColumns: 0, expanded: new Map() };

describe('row layout, kept up to date', () => {
  it('measures only the appended rows, and leaves the evicted ones behind', () => {
    const layout = new RowLayout();
    let rows = make(500);
    expectSameAsFull(layout.next(rows, plain), rows, plain);
    for (let frame = 0; frame < 40; frame++) {
      const next = countingReads(followOn(rows, frame % 3 === 0 ? 7 : 0, make(5)));
      const offsets = layout.next(next.items, plain);
      // The new rows are read (to count their lines, then for their height), not the 500 before them.
      expect(next.reads()).toBeLessThanOrEqual(2 * 5);
      rows = next.items;
      expectSameAsFull(offsets, rows, plain);
    }
  });

  it('reads no row but the new ones while every row is one line high (the common case)', () => {
    const layout = new RowLayout();
    let rows = make(2_000, oneLiner);
    expectSameAsFull(layout.next(rows, plain), rows, plain);
    const next = countingReads(followOn(rows, 3, make(4, oneLiner)));
    const offsets = layout.next(next.items, plain);
    expect(next.reads()).toBeLessThanOrEqual(2 * 4);
    rows = next.items;
    expectSameAsFull(offsets, rows, plain);
  });

  it('shows newest first without measuring again: the new rows at the top', () => {
    const layout = new RowLayout();
    const wrap = { wrapColumns: 10, expanded: new Map() };
    let rows = make(100);
    expectSameAsFull(layout.next(rows, wrap, true), rows, wrap, true);
    expectSameAsFull(layout.next(rows, wrap, false), rows, wrap, false);
    for (let frame = 0; frame < 10; frame++) {
      const next = countingReads(followOn(rows, 2, make(3)));
      const offsets = layout.next(next.items, wrap, true);
      expect(next.reads()).toBeLessThanOrEqual(2 * 3);
      rows = next.items;
      expectSameAsFull(offsets, rows, wrap, true);
    }
  });

  it('measures the rows of a merge again from where they changed', () => {
    const layout = new RowLayout();
    const rows = make(60);
    layout.next(rows, plain);
    // A late row merged into place: the last 10 rows come again after it.
    const next = countingReads(followOn(rows, 0, [...make(1), ...rows.slice(50)], 50));
    const offsets = layout.next(next.items, plain);
    expect(next.reads()).toBeLessThanOrEqual(2 * 11);
    expectSameAsFull(offsets, next.items, plain);
  });

  it('measures every row again when the rows are replaced (a filter changed)', () => {
    const layout = new RowLayout();
    const rows = make(80);
    layout.next(rows, plain);
    const filtered = rows.filter((_, i) => i % 2 === 0);
    expectSameAsFull(layout.next(filtered, plain), filtered, plain);
    // Rows one line high after all the tall ones went: the plain multiples again.
    const oneLiners = make(30, oneLiner);
    expectSameAsFull(layout.next(oneLiners, plain), oneLiners, plain);
  });

  it('wraps the rows to a new width', () => {
    const layout = new RowLayout();
    let rows = make(70);
    for (const wrapColumns of [0, 10, 7, 100, 0, 10]) {
      const options = { wrapColumns, expanded: new Map() };
      expectSameAsFull(layout.next(rows, options), rows, options);
      rows = followOn(rows, 1, make(2));
      expectSameAsFull(layout.next(rows, options), rows, options);
    }
  });

  it('opens and closes data trees without reading any text again', () => {
    const layout = new RowLayout();
    const wrap = { wrapColumns: 12, expanded: new Map<string, number>() };
    const rows = make(40);
    layout.next(rows, wrap);
    const watched = watchingText(followOn(rows, 0, []));
    layout.next(watched.rows, wrap);
    for (const expanded of [
      new Map([[rows[2].key, 3]]),
      new Map([
        [rows[2].key, 3],
        [rows[5].key, 40],
      ]),
      new Map([[rows[5].key, 40]]),
      new Map<string, number>(),
    ]) {
      const options = { ...wrap, expanded };
      expectSameAsFull(layout.next(watched.rows, options), rows, options);
    }
    expect(watched.reads()).toBe(0);
  });

  it('reads again, for another wrap width, only the text of rows with a line longer than either width', () => {
    const layout = new RowLayout();
    // Lines of 8, then 20, characters; then rows whose lines are all short.
    const rows = [...make(5, () => logLine('s', entry(++seq, 'a'.repeat(8)))), ...make(30, oneLiner)];
    rows.push(logLine('s', entry(++seq, 'short\n' + 'b'.repeat(20))));
    const at = (wrapColumns: number) => ({ wrapColumns, expanded: new Map<string, number>() });
    layout.next(rows, at(40));
    const watched = watchingText(followOn(rows, 0, []));
    layout.next(watched.rows, at(40));
    // 40 to 30: every line fits both.
    expectSameAsFull(layout.next(watched.rows, at(30)), rows, at(30));
    expect(watched.reads()).toBe(0);
    // 30 to 10: the 20-character line does not fit 10.
    expectSameAsFull(layout.next(watched.rows, at(10)), rows, at(10));
    expect(watched.reads()).toBe(1);
    // 10 to 5: 'one line' (8) and the 8-character rows, and the long one again.
    expectSameAsFull(layout.next(watched.rows, at(5)), rows, at(5));
    expect(watched.reads()).toBe(1 + 30 + 5 + 1);
  });

  it('answers as a full recompute after any sequence of changes', () => {
    // A step with `settle` false is not laid out before the next: several changes at once.
    type Step = { settle: boolean } & (
      | { kind: 'follow'; evict: number; add: number; replace: number }
      | { kind: 'filter'; keep: number }
      | { kind: 'wrap'; columns: number }
      | { kind: 'expand'; at: number; lines: number }
      | { kind: 'collapse' }
      | { kind: 'flip' }
    );
    const change = fc.oneof(
      fc.record({
        kind: fc.constant('follow' as const),
        evict: fc.nat(5),
        add: fc.nat(6),
        replace: fc.nat(3),
      }),
      fc.record({ kind: fc.constant('filter' as const), keep: fc.integer({ min: 2, max: 4 }) }),
      fc.record({ kind: fc.constant('wrap' as const), columns: fc.constantFrom(0, 5, 11, 40) }),
      fc.record({ kind: fc.constant('expand' as const), at: fc.nat(), lines: fc.integer({ min: 1, max: 20 }) }),
      fc.record({ kind: fc.constant('collapse' as const) }),
      fc.record({ kind: fc.constant('flip' as const) }),
    );
    const step: fc.Arbitrary<Step> = fc
      .tuple(change, fc.boolean())
      .map(([change, settle]) => ({ ...change, settle }) as Step);
    fc.assert(
      fc.property(fc.nat(30), fc.array(step, { maxLength: 25 }), (start, steps) => {
        const layout = new RowLayout();
        let rows = make(start);
        let options: LayoutOptions = { wrapColumns: 0, expanded: new Map() };
        let reversed = false;
        expectSameAsFull(layout.next(rows, options, reversed), rows, options, reversed);
        for (const s of steps) {
          if (s.kind === 'follow') {
            const evicted = Math.min(s.evict, rows.length);
            const kept = Math.max(0, rows.length - evicted - s.replace);
            rows = followOn(rows, evicted, [...make(s.add), ...rows.slice(evicted + kept)], kept);
          } else if (s.kind === 'filter') rows = rows.filter((_, i) => i % s.keep === 0);
          else if (s.kind === 'wrap') options = { ...options, wrapColumns: s.columns };
          else if (s.kind === 'expand' && rows.length > 0)
            options = { ...options, expanded: new Map(options.expanded).set(rows[s.at % rows.length].key, s.lines) };
          else if (s.kind === 'collapse') options = { ...options, expanded: new Map() };
          else if (s.kind === 'flip') reversed = !reversed;
          if (s.settle) expectSameAsFull(layout.next(rows, options, reversed), rows, options, reversed);
        }
        expectSameAsFull(layout.next(rows, options, reversed), rows, options, reversed);
      }),
      { numRuns: 150 },
    );
  });
});

describe('RowLayout, wrapped as the message column shows a row', () => {
  // 38 characters; with the category in its own column the message shows the 29 after `LogCook: `.
  const unreal = logLine('s', entry(1, 'LogCook: Display: ' + 'x'.repeat(20)));
  // At phone width the category shows inline, but a `[time][frame]` prefix before it does not.
  const stamped = logLine('s', entry(2, '[2026.11.24-12.00.00:123][  0]LogCook: Display: ' + 'x'.repeat(20)));
  const withData = logLine('s', { ...entry(3, 'y'.repeat(20)), data: { ms: 5 } });
  const layout = new RowLayout();
  /** Each row's lines, laid out again by the same layout (a rewrap) for each options. */
  const lines = (options: Partial<LayoutOptions>) => {
    const offsets = layout.next([unreal, stamped, withData], { wrapColumns: 30, expanded: new Map(), ...options });
    return [0, 1, 2].map(
      (i) => ((i < 2 ? offsets.offsetOf(i + 1) : offsets.height) - offsets.offsetOf(i)) / LINE_HEIGHT,
    );
  };

  it('counts the characters the message shows, with the category in a column, inline or not in view', () => {
    expect(lines({ categories: 'none' })).toEqual([2, 3, 1]);
    expect(lines({ categories: 'column' })).toEqual([1, 1, 1]);
    expect(lines({ categories: 'inline' })).toEqual([2, 2, 1]);
  });

  it('wraps a row with a data button to the narrower column beside it', () => {
    expect(lines({ dataWrapColumns: 15 })).toEqual([2, 3, 2]);
    expect(lines({ dataWrapColumns: 30 })).toEqual([2, 3, 1]);
    expect(lines({ wrapColumns: 0, dataWrapColumns: 15 })).toEqual([1, 1, 1]);
  });
});
