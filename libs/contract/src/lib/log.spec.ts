import { containsTextPattern, escapeRegExp } from './log';

describe('escapeRegExp', () => {
  it('makes every RegExp syntax character literal', () => {
    const text = 'a.b*c+d?e^f$g{1}(h)|i[j]\\k';
    expect(new RegExp(`^${escapeRegExp(text)}$`).test(text)).toBe(true);
    expect(new RegExp(escapeRegExp('a.b')).test('axb')).toBe(false);
  });
});

describe('containsTextPattern', () => {
  it('finds the text anywhere in a message, case-insensitively, Unicode included', () => {
    const pattern = containsTextPattern('shader (SM5)');
    expect(pattern.test('LogShaders: Compiling SHADER (sm5) for Win64')).toBe(true);
    expect(pattern.test('shader SM5')).toBe(false);
    expect(containsTextPattern('ÉCHEC').test('build échec: 3 errors')).toBe(true);
  });
});
