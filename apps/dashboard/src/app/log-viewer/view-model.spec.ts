import { entry } from '../testing/sessions';
import { binRows } from './histogram-bins';
import { jsonLines } from './json-lines';
import { gapLine, logLine } from './log-line';
import { LINE_HEIGHT, Offsets, rowHeight, RowLayout } from './row-layout';

const at = (seq: number, ms: number, message: string, level: 'info' | 'warn' | 'error' = 'info') =>
  logLine('s', { ...entry(seq, message, level), time: new Date(Date.UTC(2026, 10, 24, 12) + ms).toISOString() });

describe('histogram bins', () => {
  it('counts entries by severity in bins of a readable width over the span', () => {
    const rows = [at(0, 0, 'a'), at(1, 1_500, 'b', 'warn'), gapLine('s', 4, 9, 2_000), at(9, 59_000, 'LogX: Error: c')];
    const bins = binRows(rows, 60);
    expect(bins[0].to - bins[0].from + 1).toBe(1_000);
    expect(bins).toHaveLength(60);
    expect(bins[0].counts).toEqual({ debug: 0, info: 1, warn: 0, error: 0 });
    expect(bins[1].counts.warn).toBe(1);
    expect(bins[59].counts.error).toBe(1);
    expect(bins.reduce((sum, bin) => sum + bin.total, 0)).toBe(3);
    expect(binRows([])).toEqual([]);
  });
});

describe('row layout', () => {
  const offsetsOf = (offsets: Offsets) => Array.from({ length: offsets.count + 1 }, (_, i) => offsets.offsetOf(i));
  const rows = [at(0, 0, 'x'.repeat(25)), at(1, 0, 'short\nsecond line'), gapLine('s', 1, 5, 0)];

  it('is one line per row unless wrapping, a data tree is open or a message has several lines', () => {
    const oneLiners = [rows[0], at(3, 0, 'ends in a newline\n'), rows[2]];
    const offsets = new RowLayout().next(oneLiners, { wrapColumns: 0, expanded: new Map() });
    expect(offsetsOf(offsets)).toEqual([0, 20, 40, 60]);
    expect(offsets.indexAt(2.5 * LINE_HEIGHT)).toBe(2);
  });

  it('counts the lines of a message unwrapped, as the browser shows them', () => {
    const options = { wrapColumns: 0, expanded: new Map() };
    expect(rowHeight(rows[1], options)).toBe(2 * LINE_HEIGHT);
    expect(rowHeight(at(4, 0, 'Exception\n  at a\n  at b\n'), options)).toBe(3 * LINE_HEIGHT);
    expect(offsetsOf(new RowLayout().next(rows, options))).toEqual([0, 20, 60, 80]);
  });

  it('gives wrapped rows as many lines as their text needs, and open data trees their lines', () => {
    const options = { wrapColumns: 10, expanded: new Map([[rows[1].key, 3]]) };
    expect(rowHeight(rows[0], options)).toBe(3 * LINE_HEIGHT);
    // 'short' and 'second line' (11 characters: two lines of 10), then the three lines of data.
    expect(rowHeight(rows[1], options)).toBe(3 * LINE_HEIGHT + 3 * LINE_HEIGHT + 8);
    const offsets = new RowLayout().next(rows, options);
    expect(offsetsOf(offsets)).toEqual([0, 60, 188, 208]);
    expect(offsets.height).toBe(208);
    expect(offsets.indexAt(61)).toBe(1);
    expect(offsets.indexAt(190)).toBe(2);
  });
});

describe('JSON tree lines', () => {
  it('lists keys and values by depth, and hides the children of collapsed nodes', () => {
    const data = { ms: 5120, nested: { list: [1, 'two'], none: null } };
    expect(jsonLines(data).map((line) => `${'  '.repeat(line.depth)}${line.key ?? '·'} ${line.text}`)).toEqual([
      '· {2 keys}',
      '  ms 5120',
      '  nested {2 keys}',
      '    list [2 items]',
      '      0 1',
      '      1 "two"',
      '    none null',
    ]);
    expect(jsonLines(data, new Set(['/nested'])).map((line) => line.text)).toEqual(['{2 keys}', '5120', '{2 keys}']);
  });

  it('gives a key with a slash a path of its own, not that of a nested key (JSON pointer escapes)', () => {
    const data = { 'a/b': { x: 1 }, a: { b: { y: 2 } }, '~1': 3 };
    const paths = jsonLines(data).map((line) => line.path);
    expect(paths).toEqual(['', '/a~1b', '/a~1b/x', '/a', '/a/b', '/a/b/y', '/~01']);
    expect(new Set(paths).size).toBe(paths.length);
    expect(jsonLines(data, new Set(['/a/b'])).map((line) => line.key)).toEqual([null, 'a/b', 'x', 'a', 'b', '~1']);
  });
});
