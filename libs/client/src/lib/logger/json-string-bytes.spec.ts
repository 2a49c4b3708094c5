import { seededRandom, TRICKY_TEXT_PIECES } from '@zen/testing';
import { MAX_ESCAPED_BYTES_PER_BYTE, sequenceLength, writeJsonStringBytes } from './json-string-bytes';

const FATAL = new TextDecoder('utf-8', { fatal: true });

/** What the byte path writes for `bytes`, as text; null when it refuses them. */
function written(bytes: Uint8Array): string | null {
  const target = new Uint8Array(bytes.length * MAX_ESCAPED_BYTES_PER_BYTE);
  const size = writeJsonStringBytes(bytes, 0, bytes.length, target, 0);
  return size < 0 ? null : FATAL.decode(target.subarray(0, size));
}

/** What JSON.stringify writes for the text `bytes` decode to, without its quotes; null when they are not UTF-8. */
function stringified(bytes: Uint8Array): string | null {
  try {
    return JSON.stringify(FATAL.decode(bytes)).slice(1, -1);
  } catch {
    return null;
  }
}

const bytesOf = (text: string) => new TextEncoder().encode(text);

describe('writeJsonStringBytes', () => {
  it('escapes what JSON.stringify escapes, and copies everything else as it is', () => {
    const controls = Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code)).join('');
    for (const text of [controls, '"quote" \\ slash /', 'DEL \u007f, U+2028 \u2028', 'Grüße ✓ 😀 ÿ', '{"a":[1]}', '']) {
      expect(written(bytesOf(text))).toBe(JSON.stringify(text).slice(1, -1));
    }
  });

  it('refuses bytes that are not UTF-8: stray, overlong, surrogate, too large, cut short', () => {
    const invalid = [
      [0x80],
      [0xbf],
      [0xc0, 0x80],
      [0xc1, 0xbf],
      [0xe0, 0x80, 0x80],
      [0xe0, 0x9f, 0xbf],
      [0xed, 0xa0, 0x80], // a surrogate (U+D800)
      [0xf0, 0x80, 0x80, 0x80],
      [0xf0, 0x8f, 0xbf, 0xbf],
      [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
      [0xf5, 0x80, 0x80, 0x80],
      [0xff],
      [0xc3],
      [0xe2, 0x9c],
      [0xf0, 0x9f, 0x98],
      [0xc3, 0x41],
      [0x61, 0xe2, 0x9c, 0x61],
    ];
    for (const bytes of invalid) expect([bytes, written(Uint8Array.from(bytes))]).toEqual([bytes, null]);
    // The boundaries around them are valid.
    const valid = [
      [0xc2, 0x80],
      [0xdf, 0xbf],
      [0xe0, 0xa0, 0x80],
      [0xed, 0x9f, 0xbf],
      [0xee, 0x80, 0x80],
      [0xf0, 0x90, 0x80, 0x80],
      [0xf4, 0x8f, 0xbf, 0xbf],
    ];
    for (const bytes of valid) expect(written(Uint8Array.from(bytes))).toBe(FATAL.decode(Uint8Array.from(bytes)));
  });

  it('reads only source[from..to), a character cut by `to` being invalid, and writes only where it is told', () => {
    const source = bytesOf('ab"c✓d');
    const check = source.indexOf(0xe2);
    const target = new Uint8Array(64).fill(0x7e);
    expect(writeJsonStringBytes(source, 1, check, target, 10)).toBe(4);
    expect(new TextDecoder().decode(target.subarray(9, 16))).toBe('~b\\"c~~');
    expect(writeJsonStringBytes(source, 1, check + 2, target, 10)).toBe(-1);
    expect(sequenceLength(source, check, check + 3)).toBe(3);
    expect(sequenceLength(source, check, check + 2)).toBe(0);
  });

  it('agrees with JSON.stringify of the decoded text on random texts, and with a strict decoder on random bytes', () => {
    const random = seededRandom(13);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    for (let round = 0; round < 3_000; round++) {
      const text = Array.from({ length: Math.floor(random() * 12) }, () => pick(TRICKY_TEXT_PIECES)).join('');
      const bytes = bytesOf(text); // a lone surrogate becomes U+FFFD here: valid UTF-8
      expect(written(bytes)).toBe(stringified(bytes));
    }
    // Whole characters of every length mixed with bytes from the edges of UTF-8's ranges, so that
    // valid and invalid sequences both occur.
    const edges = [0x00, 0x0a, 0x1f, 0x22, 0x5c, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf];
    const leads = [0xe0, 0xe1, 0xed, 0xee, 0xef, 0xf0, 0xf1, 0xf4, 0xf5, 0xff];
    const maxima = [0x7f, 0x7ff, 0xffff, 0x10ffff];
    const character = () => bytesOf(String.fromCodePoint(Math.floor(random() * (pick(maxima) + 1))));
    let valid = 0;
    for (let round = 0; round < 20_000; round++) {
      const pieces = Array.from({ length: 1 + Math.floor(random() * 6) }, () =>
        random() < 0.85 ? character() : Uint8Array.of(random() < 0.5 ? pick(edges) : pick(leads)),
      );
      const bytes = Uint8Array.from(pieces.flatMap((piece) => Array.from(piece)));
      const expected = stringified(bytes);
      if (expected !== null) valid++;
      expect([Array.from(bytes), written(bytes)]).toEqual([Array.from(bytes), expected]);
    }
    expect(valid).toBeGreaterThan(2_000);
    expect(valid).toBeLessThan(18_000);
  });
});
