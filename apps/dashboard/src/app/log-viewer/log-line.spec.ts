import { entry } from '../testing/sessions';
import { lineCount, logLine } from './log-line';

const line = (message: string, level: 'info' | 'debug' | 'warn' | 'error' = 'info') =>
  logLine('s', entry(1, message, level));

describe('log lines', () => {
  it('finds the Unreal category, with or without a verbosity and the bracketed prefix', () => {
    expect(line('LogInit: Display: Running engine').category).toBe('LogInit');
    expect(line('LogStreaming: Warning: slow').category).toBe('LogStreaming');
    expect(line('LogTemp: plain message').category).toBe('LogTemp');
    expect(line('[2026.11.24-12.00.00:123][  0]LogCook: Display: Cooked').category).toBe('LogCook');
    expect(line('PIE: Error: map failed').category).toBe('PIE');
  });

  it('does not take any "word: text" for a category', () => {
    expect(line('Note: something').category).toBeNull();
    expect(line('error: cannot find file').category).toBeNull();
    // Words that start with "Log" are no Unreal category; `Log` and a capital or digit is one.
    expect(line('Login: alice signed in').category).toBeNull();
    expect(line('Logging: enabled').category).toBeNull();
    expect(line('Log: opened').category).toBeNull();
    expect(line('LogD3D12RHI: Display: adapter').category).toBe('LogD3D12RHI');
    expect(line('Log2D: sprite').category).toBe('Log2D');
  });

  it('raises the severity to the Unreal verbosity, never lowers it', () => {
    expect(line('LogStreaming: Error: missing package').severity).toBe('error');
    expect(line('LogShader: Warning: slow').severity).toBe('warn');
    expect(line('LogCore: Fatal: crash').severity).toBe('error');
    expect(line('LogInit: Display: fine', 'error').severity).toBe('error');
    expect(line('LogInit: Display: fine').severity).toBe('info');
  });

  it('matches and copies the plain text, without ANSI codes', () => {
    const coloured = line('\x1b[31mLogTemp: Error: red\x1b[0m');
    expect(coloured.text).toBe('LogTemp: Error: red');
    expect(coloured.category).toBe('LogTemp');
    expect(coloured.text.slice(coloured.bodyStart)).toBe('Error: red');
    expect(coloured.severity).toBe('error');
  });

  it('counts lines as the browser shows them: a newline at the very end opens no line of its own', () => {
    expect(lineCount('')).toBe(1);
    expect(lineCount('one')).toBe(1);
    expect(lineCount('one\n')).toBe(1);
    expect(lineCount('\n')).toBe(1);
    expect(lineCount('one\ntwo')).toBe(2);
    expect(lineCount('one\n\n')).toBe(2);
    expect(lineCount('Exception\n  at a\n  at b\n')).toBe(3);
    expect(line('Exception\n  at a\n  at b\n').lines).toBe(3);
  });

  it('wraps each line to the column width by the same rule', () => {
    expect(lineCount('x'.repeat(25), 10)).toBe(3);
    expect(lineCount('x'.repeat(20), 10)).toBe(2);
    expect(lineCount('short\nsecond line', 10)).toBe(3);
    expect(lineCount('short\nsecond line\n', 10)).toBe(3);
    expect(lineCount('\n\nabc', 10)).toBe(3);
    expect(lineCount('', 10)).toBe(1);
    // Not wrapping, a line is one line however long.
    expect(lineCount('x'.repeat(25))).toBe(1);
  });

  it('lets spaces at the end of a wrapped line hang past it, as pre-wrap does, and skips a hidden prefix', () => {
    // `word word ` at 4: `word` and its space, `word` and its space: two lines, not three.
    expect(lineCount('word word ', 4)).toBe(2);
    expect(lineCount('word   word', 4)).toBe(2);
    expect(lineCount('word word', 5)).toBe(2);
    expect(lineCount('wordy word', 4)).toBe(3);
    // `LogCook: ` shown in its own column: the message is the 10 characters after it.
    expect(lineCount('LogCook: 0123456789', 10, 9)).toBe(1);
    expect(lineCount('LogCook: 0123456789\nnext', 10, 9)).toBe(2);
  });

  it('takes a tab to the next tab stop (8 columns) of its line, hanging past the end as a space does', () => {
    // `\tat x`: the tab fills columns 0–7, then 4 characters: 12 columns.
    expect(lineCount('\tat x', 10)).toBe(2);
    expect(lineCount('\tat x', 12)).toBe(1);
    // `ab` then a tab to column 8, `cd` to 10: full; the tab after it hangs, `e` starts line 2.
    expect(lineCount('ab\tcd\te', 10)).toBe(2);
    expect(lineCount('\t\t\t', 4)).toBe(1);
  });
});
