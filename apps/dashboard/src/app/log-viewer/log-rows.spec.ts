import fc from 'fast-check';
import { entry } from '../testing/sessions';
import { parseAnsi } from './ansi';
import { gapLine, logLine, LogRow } from './log-line';
import {
  filterRows,
  highlight,
  highlightSegments,
  LogFilterState,
  maskColumn,
  MaskColumns,
  RowFilter,
  textMatcher,
} from './log-rows';
import { noteDelta } from './row-deltas';

const rows: LogRow[] = [
  logLine('a', entry(0, 'boot', 'debug')),
  logLine('a', entry(1, 'Shader compile', 'info')),
  gapLine('a', 5, 7, 0),
  logLine('a', entry(7, 'SHADER slow', 'warn')),
  logLine('a', entry(8, 'crash (x2)', 'error')),
];
const seqs = (list: LogRow[]) => list.map((row) => (row.kind === 'entry' ? row.entry.seq : `gap${row.dropped}`));

describe('log rows', () => {
  it('keeps entries at the chosen level or above, and always the gap rows', () => {
    const filter = { level: 'warn' as const, text: '', regex: false };
    expect(seqs(filterRows(rows, filter, textMatcher(filter).pattern))).toEqual(['gap5', 7, 8]);
  });

  it('matches plain text literally and case-insensitively', () => {
    const filter = { level: 'debug' as const, text: 'shader', regex: false };
    expect(seqs(filterRows(rows, filter, textMatcher(filter).pattern))).toEqual([1, 'gap5', 7]);
    const literal = { level: 'debug' as const, text: '(x2)', regex: false };
    expect(seqs(filterRows(rows, literal, textMatcher(literal).pattern))).toEqual(['gap5', 8]);
  });

  it('matches a regular expression when asked, and reports an invalid one instead of throwing', () => {
    const filter = { level: 'debug' as const, text: '^(boot|crash)', regex: true };
    expect(seqs(filterRows(rows, filter, textMatcher(filter).pattern))).toEqual([0, 'gap5', 8]);
    expect(textMatcher({ level: 'debug', text: '(', regex: true })).toMatchObject({
      pattern: null,
      error: expect.any(String),
    });
  });

  it('cuts a message into highlighted and plain parts', () => {
    const { pattern } = textMatcher({ level: 'debug', text: 'sha', regex: false });
    expect(highlight('Shader shall', pattern)).toEqual([
      { text: 'Sha', match: true },
      { text: 'der ', match: false },
      { text: 'sha', match: true },
      { text: 'll', match: false },
    ]);
    expect(highlight('plain', null)).toEqual([{ text: 'plain', match: false }]);
  });

  it('filters by Unreal category, by source and by time range', () => {
    const t = (seconds: number) => ({
      ...entry(seconds, ''),
      time: new Date(Date.UTC(2026, 10, 24, 12, 0, seconds)).toISOString(),
    });
    const mixed: LogRow[] = [
      logLine('a', { ...t(1), message: 'LogInit: Display: start' }),
      logLine('b', { ...t(2), message: 'LogCook: Display: cooked' }),
      gapLine('b', 3, 9, 0),
      logLine('a', { ...t(3), message: 'LogCook: Warning: slow' }),
    ];
    const base = { level: 'debug' as const, text: '', regex: false };
    expect(seqs(filterRows(mixed, { ...base, category: 'LogCook' }, null))).toEqual([2, 'gap3', 3]);
    expect(seqs(filterRows(mixed, { ...base, source: 'a' }, null))).toEqual([1, 3]);
    const from = Date.UTC(2026, 10, 24, 12, 0, 2);
    expect(seqs(filterRows(mixed, { ...base, range: { from, to: from + 1000 } }, null))).toEqual([2, 'gap3', 3]);
    // An entry without a readable time is in no time range.
    const timeless = logLine('a', { ...t(2), seq: 4, time: 'not a time' });
    expect(seqs(filterRows([...mixed, timeless], { ...base, range: { from, to: from + 1000 } }, null))).toEqual([
      2,
      'gap3',
      3,
    ]);
  });

  it('filters typing on from the previous answer, and every answer is what a full filter gives', () => {
    const many: LogRow[] = Array.from({ length: 40 }, (_, i) =>
      logLine(i % 2 ? 'a' : 'b', entry(i, `${i % 3 ? 'Shader' : 'compile'} step ${i}`, i % 4 ? 'info' : 'warn')),
    );
    many.splice(10, 0, gapLine('a', 3, 10, 0));
    const rowFilter = new RowFilter();
    const check = (rows: LogRow[], filter: LogFilterState) =>
      expect(seqs(rowFilter.apply(rows, filter, textMatcher(filter).pattern))).toEqual(
        seqs(filterRows(rows, filter, textMatcher(filter).pattern)),
      );
    const typed = (text: string, more: Partial<LogFilterState> = {}) => ({
      level: 'debug' as const,
      text,
      regex: false,
      ...more,
    });
    for (const text of ['s', 'sh', 'SHA', 'shader', 'shader step 1', 'shader step', 'step 2']) check(many, typed(text));
    check(many, typed('step 2', { level: 'warn' }));
    check(many, typed('step 2', { source: 'a' }));
    check(many, typed('step 2'));
    check(many, typed('step 2.', { regex: true }));
    check(many, typed('step 2.'));
    // A filter that keeps every row answers with the rows themselves, so nothing downstream recomputes.
    expect(rowFilter.apply(many, typed('e'), textMatcher(typed('e')).pattern)).toBe(many);
    // New rows (the log moved on): every row is a candidate again.
    const more = [...many, logLine('a', entry(99, 'shader step 2 late'))];
    check(more, typed('step 2'));
    expect(seqs(rowFilter.apply(more, typed('step 2 l'), textMatcher(typed('step 2 l')).pattern))).toEqual([
      'gap3',
      99,
    ]);
  });

  it('matches plain text without case, by the lower-cased text kept per row', () => {
    const line = logLine('a', entry(0, '\x1b[31mShader\x1b[0m Compile'));
    expect(line.lower).toBe('shader compile');
    const filter = { level: 'debug' as const, text: 'DER COMP', regex: false };
    expect(seqs(filterRows([line], filter, textMatcher(filter).pattern))).toEqual([0]);
  });

  it('answers by the characters each row holds exactly as a substring search does', () => {
    const texts = ['Shader 42 compile', 'zip: ok', 'naïve café 7%', 'x', '', 'LogCook: Display: 3-0000012 shader'];
    const lines: LogRow[] = texts.map((text, i) => logLine('a', entry(i, text)));
    lines.splice(2, 0, gapLine('a', 1, 2, 0));
    const needles = ['s', 'z', 'Q', '4', '7', '%', 'é', ' ', 'shader 3', '3-00', 'ok', 'CAFÉ', 'ï', 'x', 'zz', ':'];
    for (const text of needles) {
      const filter = { level: 'debug' as const, text, regex: false };
      const expected = lines.filter((row) => row.kind === 'gap' || row.text.toLowerCase().includes(text.toLowerCase()));
      expect(seqs(filterRows(lines, filter, textMatcher(filter).pattern))).toEqual(seqs(expected));
    }
  });

  it('answers the same from a mask column, kept from frame to frame, as from the rows', () => {
    const texts = ['Shader 42 compile', 'zip: ok', 'LogCook: Display: 3-0000012 shader', 'LogCook: Warning: slow', 'x'];
    const line = (i: number) => logLine(i % 2 ? 'a' : 'b', entry(i, texts[i % texts.length], i % 3 ? 'info' : 'warn'));
    const first: LogRow[] = Array.from({ length: 12 }, (_, i) => line(i));
    first.splice(4, 0, gapLine('a', 2, 4, 0));
    maskColumn(first);
    // The next frame: two rows evicted, three added; its column is the last one's and the new rows' masks.
    const next = first.slice(2).concat([line(12), line(13), line(14)]);
    noteDelta(next, { from: first, evicted: 2, kept: first.length - 2 });
    expect([...maskColumn(next)]).toEqual(next.map((row) => (row.kind === 'entry' ? row.chars : -1)));
    const levels = ['debug', 'info', 'warn', 'error'];
    for (const [text, more] of [
      ['s', {}],
      ['sh', {}],
      ['z', { source: 'a' }],
      ['o', { level: 'warn' as const }],
      ['slow', { category: 'LogCook' }],
    ] as const) {
      const filter: LogFilterState = { level: 'debug', text, regex: false, ...more };
      const expected = next.filter(
        (row) =>
          (!filter.source || row.source === filter.source) &&
          (row.kind === 'gap' ||
            (levels.indexOf(row.severity) >= levels.indexOf(filter.level) &&
              (!filter.category || row.category === filter.category) &&
              row.lower.includes(text))),
      );
      expect(seqs(filterRows(next, filter, textMatcher(filter).pattern))).toEqual(seqs(expected));
    }
  });

  it('while following (rows evicted, added, merged again), answers as a full filter of every row does', () => {
    const texts = ['Shader 42 compile', 'zip: ok', 'LogCook: Display: shader', 'LogCook: Warning: slow', 'x'];
    let seq = 0;
    const line = () => logLine(seq % 3 ? 'a' : 'b', entry(seq, texts[seq++ % texts.length], seq % 4 ? 'info' : 'warn'));
    const frame = fc.record({ evict: fc.nat(6), add: fc.nat(6), gap: fc.boolean(), remerge: fc.nat(3) });
    const filters: LogFilterState[] = [
      { level: 'debug', text: 'sha', regex: false },
      { level: 'warn', text: 'o', regex: false, source: 'a' },
      { level: 'debug', text: 's.*w', regex: true, category: 'LogCook' },
    ];
    fc.assert(
      fc.property(fc.constantFrom(...filters), fc.array(frame, { minLength: 1, maxLength: 25 }), (filter, frames) => {
        const rowFilter = new RowFilter();
        const { pattern } = textMatcher(filter);
        let rows: readonly LogRow[] = [];
        for (const { evict, add, gap, remerge } of frames) {
          const evicted = Math.min(evict, rows.length);
          const added: LogRow[] = Array.from({ length: add }, line);
          if (gap) added.unshift(gapLine(seq % 2 ? 'a' : 'b', 3, seq, 0));
          // The last `remerge` rows merged again with the new ones, after them (a merged view's late arrivals).
          const kept = Math.max(0, rows.length - evicted - remerge);
          const next = rows.slice(evicted, evicted + kept).concat(added, rows.slice(evicted + kept));
          noteDelta(next, { from: rows, evicted, kept });
          rows = next;
          // A new filter object each frame, as the viewer's computed makes.
          expect(seqs(rowFilter.apply(rows, { ...filter }, pattern))).toEqual(
            seqs(filterRows(rows.slice(), filter, pattern)),
          );
        }
      }),
    );
  });

  it("makes each frame's mask column with its rows, as a column made from every row is, old frames' too", () => {
    let seq = 0;
    const texts = ['Shader 42 compile', 'zip: ok', 'LogCook: Display: shader', 'x'];
    const line = () => logLine(seq % 3 ? 'a' : 'b', entry(seq, texts[seq++ % texts.length]));
    const fromRows = (rows: readonly LogRow[]) => rows.map((row) => (row.kind === 'entry' ? row.chars : -1));
    const frame = fc.record({ evict: fc.nat(700), add: fc.nat(700), gap: fc.boolean(), remerge: fc.nat(3) });
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 20 }), (frames) => {
        const columns = new MaskColumns();
        const history: LogRow[][] = [];
        let rows: readonly LogRow[] = [];
        for (const { evict, add, gap, remerge } of frames) {
          const evicted = Math.min(evict, rows.length);
          const added: LogRow[] = Array.from({ length: add }, line);
          if (gap) added.unshift(gapLine('a', 3, seq, 0));
          const kept = Math.max(0, rows.length - evicted - remerge);
          const next = rows.slice(evicted, evicted + kept).concat(added, rows.slice(evicted + kept));
          const delta = { from: rows, evicted, kept };
          noteDelta(next, delta);
          columns.next(next, delta);
          expect([...maskColumn(next)]).toEqual(fromRows(next));
          history.push(next);
          rows = next;
        }
        // An older frame's column, if it is asked for, is still its own rows' (made again, not overwritten).
        for (const old of history) expect([...maskColumn(old)]).toEqual(fromRows(old));
      }),
      { numRuns: 60 },
    );
  });

  it('filters on the severity an Unreal verbosity gives a text line', () => {
    const lines: LogRow[] = [logLine('a', entry(0, 'LogTemp: Error: bad')), logLine('a', entry(1, 'LogTemp: fine'))];
    expect(seqs(filterRows(lines, { level: 'error', text: '', regex: false }, null))).toEqual([0]);
  });

  it('highlights matches across ANSI colour runs, keeping the colours', () => {
    const { pattern } = textMatcher({ level: 'debug', text: 'ab', regex: false });
    expect(highlightSegments(parseAnsi('x\x1b[31mab\x1b[32mb'), pattern)).toEqual([
      { text: 'x', match: false },
      { text: 'ab', fg: 'rgb(205, 49, 49)', match: true },
      { text: 'b', fg: 'rgb(13, 188, 121)', match: false },
    ]);
    expect(highlightSegments(parseAnsi('\x1b[1mxa\x1b[0mby'), pattern).map((s) => [s.text, s.match, !!s.bold])).toEqual(
      [
        ['x', false, true],
        ['a', true, true],
        ['b', true, false],
        ['y', false, false],
      ],
    );
  });
});
