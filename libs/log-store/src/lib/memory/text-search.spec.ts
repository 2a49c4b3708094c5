import fc from 'fast-check';
import { containsTextPattern } from '@zen/contract';
import { TextSearch } from './text-search';

function contains(message: string, text: string): boolean {
  const bytes = Buffer.from(`..${message}..`);
  return new TextSearch(text).test(bytes, 2, bytes.length - 4);
}

describe('TextSearch', () => {
  it('finds ASCII text in any case, anywhere in the message', () => {
    expect(contains('Shader compile FAILED', 'failed')).toBe(true);
    expect(contains('Shader compile FAILED', 'ShAdEr')).toBe(true);
    expect(contains('Shader compile FAILED', 'FAILED!')).toBe(false);
    expect(contains('ab', 'abc')).toBe(false);
    expect(contains('a.b', '.')).toBe(true);
    expect(contains('[x]', '[X]')).toBe(true);
  });

  it('does not read outside the message', () => {
    // The message is framed by dots in its block: searching for a dot must not see them.
    expect(contains('abc', '.')).toBe(false);
    expect(contains('abc', 'c.')).toBe(false);
  });

  it('folds case beyond ASCII as the Unicode RegExp does', () => {
    expect(contains('CAFÉ au lait', 'café')).toBe(true);
    expect(contains('Überprüfung', 'ÜBER')).toBe(true);
    expect(contains('temperature 300\u212a', 'k')).toBe(true); // Kelvin sign folds to k
    expect(contains('\u017fhader', 'SHADER')).toBe(true); // long s folds to s
    expect(contains('k', '\u212a')).toBe(true);
    expect(contains('日本語のログ', 'のロ')).toBe(true);
    expect(contains('straße', 'STRASSE')).toBe(false); // simple folding, as today
  });

  it('answers what a case-insensitive Unicode RegExp answers, for any message and text', () => {
    const unit = fc.oneof(
      fc.constantFrom('a', 'A', 'k', 'K', 's', 'S', '\u212a', '\u017f', 'é', 'É', 'ß', 'ẞ', '日', '🎮', '.', '*', '\\'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    );
    fc.assert(
      fc.property(
        fc.string({ unit, maxLength: 30 }),
        fc.string({ unit, minLength: 1, maxLength: 4 }),
        (message, text) => {
          // What the store stores: UTF-8 bytes (a lone surrogate becomes U+FFFD).
          const stored = Buffer.from(message).toString();
          const expected = containsTextPattern(text).test(stored);
          expect(contains(message, text)).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
