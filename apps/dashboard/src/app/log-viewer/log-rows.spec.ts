import { entry } from '../testing/sessions';
import { filterRows, highlight, LogRow, textMatcher } from './log-rows';

const rows: LogRow[] = [
  { kind: 'entry', entry: entry(0, 'boot', 'debug') },
  { kind: 'entry', entry: entry(1, 'Shader compile', 'info') },
  { kind: 'gap', dropped: 5, before: 7 },
  { kind: 'entry', entry: entry(7, 'SHADER slow', 'warn') },
  { kind: 'entry', entry: entry(8, 'crash (x2)', 'error') },
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
});
