import { containsTextPattern, LogEntry } from '@zen/contract';
import { entryFilter, formatTextLine } from './log-text';

const entry = (message: string, level: LogEntry['level'] = 'info'): LogEntry => ({
  seq: 0,
  time: '2026-01-02T03:04:05.678Z',
  level,
  message,
});

describe('formatTextLine', () => {
  it('writes <time> <LEVEL> <message>, line breaks as \\n', () => {
    expect(formatTextLine(entry('a\r\nb\nc\rd', 'warn'))).toBe('2026-01-02T03:04:05.678Z WARN a\\nb\\nc\\nd');
  });
});

describe('entryFilter', () => {
  it('keeps entries at the level or more severe', () => {
    const keep = entryFilter('warn');
    expect(['debug', 'info', 'warn', 'error'].map((level) => keep(entry('x', level as LogEntry['level'])))).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it('matches --grep text as the server does (the contract s containsTextPattern), not by toLowerCase()', () => {
    const cases: [q: string, message: string, server: boolean][] = [
      ['σ', 'ΟΔΟΣ live', true], // toLowerCase() makes the last Σ a final ς
      ['ΟΔΟΣ', 'οδος', true],
      ['s', 'ſtrasse', true], // long s folds to s
      ['k', '\u212Aelvin', true], // Kelvin sign
      ['i', 'İstanbul', false], // toLowerCase() gives i + a combining dot; case folding does not
      ['DISK', 'disk slow', true],
      ['a.b', 'axb', false],
    ];
    for (const [q, message, server] of cases) {
      expect({ q, message, kept: entryFilter(undefined, q)(entry(message)) }).toEqual({ q, message, kept: server });
      expect(containsTextPattern(q).test(message)).toBe(server);
    }
  });

  it('keeps everything without filters, and applies both together', () => {
    expect(entryFilter()(entry('anything', 'debug'))).toBe(true);
    expect(entryFilter(undefined, '')(entry('anything'))).toBe(true);
    const both = entryFilter('error', 'disk');
    expect([both(entry('disk gone', 'error')), both(entry('disk gone', 'warn')), both(entry('net', 'error'))]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
