import { entry } from '../testing/sessions';
import { parseAnsi } from './ansi';
import { gapLine, logLine } from './log-line';
import { filterRows, highlight, highlightSegments, LogRow, textMatcher } from './log-rows';

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
