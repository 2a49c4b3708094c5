/**
 * Text from clients (an appname, a job id) made safe and measurable for a terminal table.
 *
 * Hand-written rather than a dependency: the published `zen-sessions` is one bundled file with
 * nothing installed, and `string-width` is not a dependency of this repository. What a table
 * needs is small: grapheme clusters (Intl.Segmenter, in Node 20), and which of them a terminal
 * draws two columns wide. Wide here means East Asian Wide/Fullwidth (the blocks below, after
 * Unicode's EastAsianWidth.txt, the way wcwidth() and string-width decide) and emoji shown as
 * emoji; combining marks and format characters add nothing to the cluster they belong to.
 */

// C0 and C1 controls and DEL (ESC, BEL, CR, …), and the bidi controls that would reorder what
// follows them on the line: never sent to the terminal as they are.
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
const REPLACEMENT = '\ufffd';

/** One line with nothing a terminal would act on: whitespace runs become one space, controls U+FFFD. */
export function terminalSafe(text: string): string {
  return text.replace(/[\t\n\v\f\r ]+/g, ' ').replace(UNSAFE, REPLACEMENT);
}

const WIDE_RANGES: [number, number][] = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x2e80, 0x303e], // CJK radicals, Kangxi, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK compatibility
  [0x3400, 0x4dbf], // CJK Extension A
  [0x4e00, 0x9fff], // CJK Unified Ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo Extended-A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK compatibility ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6],
  [0x16fe0, 0x18d08], // Tangut, ideographic symbols
  [0x1b000, 0x1b2ff], // Kana supplement and extensions, Nushu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x3fffd], // CJK Extensions B and beyond, planes 2 and 3
];

const EMOJI = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f|\p{Regional_Indicator}/u;
// Unicode's recommended emoji sequences, keycaps (1️⃣, #️⃣) among them, which begin with a
// character that is no emoji by itself. The `v` flag (Node 20) knows the set; built at run time
// because TypeScript's es2022 target has no `v` flag in literals.
const RGI_EMOJI = new RegExp('^\\p{RGI_Emoji}$', 'v');
const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}]/u;

let segmenter: Intl.Segmenter | null = null;

/** Columns a terminal gives `text` (already `terminalSafe`). */
export function displayWidth(text: string): number {
  // Plain ASCII, the usual case: one column a character.
  if (/^[\u0020-\u007e]*$/.test(text)) return text.length;
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  let width = 0;
  for (const { segment } of segmenter.segment(text)) width += clusterWidth(segment);
  return width;
}

function clusterWidth(cluster: string): number {
  if (EMOJI.test(cluster) || RGI_EMOJI.test(cluster)) return 2;
  if (ZERO_WIDTH.test(cluster)) return 0;
  const code = cluster.codePointAt(0) as number;
  return WIDE_RANGES.some(([low, high]) => code >= low && code <= high) ? 2 : 1;
}

/** `text` followed by spaces up to `columns` display columns. */
export function padToWidth(text: string, columns: number): string {
  return text + ' '.repeat(Math.max(0, columns - displayWidth(text)));
}
