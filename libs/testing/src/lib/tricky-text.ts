/**
 * Pieces of text that randomised specs join into messages to exercise JSON escaping and
 * UTF-8: multi-byte characters (two, three and four bytes), a lone surrogate, control
 * characters, DEL, quotes, backslash, U+2028 (valid JSON, invalid in old JavaScript), and
 * text that looks like JSON.
 */
export const TRICKY_TEXT_PIECES: readonly string[] = [
  'line 000000042 ',
  'x',
  'héllo',
  '✓',
  '😀',
  '"',
  '\\',
  '\n',
  '\t',
  '\u0001',
  '\u007f',
  '\u2028',
  '\ud800',
  '/',
  ' ',
  '{"a":1}',
];
