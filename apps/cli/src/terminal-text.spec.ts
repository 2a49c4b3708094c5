import { displayWidth, padToWidth, terminalSafe } from './terminal-text';

describe('terminal text', () => {
  it('never lets a control character through: ESC, BEL, C1, DEL and bidi overrides become U+FFFD', () => {
    const safe = terminalSafe('evil\u001b[31mRED\u001b[0m\u0007 \u009b2J \u007f \u202eabc');
    // eslint-disable-next-line no-control-regex -- control characters are what this looks for
    expect(safe).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
    expect(safe).toBe('evil\ufffd[31mRED\ufffd[0m\ufffd \ufffd2J \ufffd \ufffdabc');
    expect(terminalSafe('two\r\nlines\tand  tabs')).toBe('two lines and tabs');
  });

  it('counts East Asian wide characters and emoji as two columns, combining marks as none', () => {
    expect(displayWidth('ls-older')).toBe(8);
    expect(displayWidth('日本語アプリ🎉')).toBe(14);
    expect(displayWidth('한국어')).toBe(6);
    expect(displayWidth('ｆｕｌｌ')).toBe(8);
    expect(displayWidth('ｶﾀｶﾅ')).toBe(4); // halfwidth katakana
    expect(displayWidth('e\u0301te\u0301')).toBe(3); // é t é
    expect(displayWidth('👩‍👩‍👧 🇯🇵 ❤️')).toBe(8);
    expect(displayWidth('Ωμέγα')).toBe(5);
    expect(displayWidth('build 1️⃣ #️⃣')).toBe(11); // keycaps: a digit, VS16 and U+20E3
    expect(displayWidth('☺ ❤')).toBe(3); // text presentation, no VS16: one column each
  });

  it('pads to a display width', () => {
    expect(padToWidth('日本', 6)).toBe('日本  ');
    expect(padToWidth('abc', 2)).toBe('abc');
  });
});
