/** A run of text with the SGR attributes in force. Colours are CSS `rgb()` strings. */
export interface AnsiSegment {
  text: string;
  fg?: string;
  bg?: string;
  bold?: boolean;
}

interface Attributes {
  fg?: string;
  bg?: string;
  bold?: boolean;
}

// Every escape sequence: CSI (ESC [ or the 8-bit CSI … final byte), OSC (ESC ] or the 8-bit
// OSC … BEL, ESC \ or ST), and the two-byte ones (ESC + one char). Only CSI … m (SGR) changes
// anything; the rest is stripped, and so is a CSI or OSC cut off at the end of the message.
const ESCAPES =
  // eslint-disable-next-line no-control-regex
  /(?:\x1b\[|\x9b)([0-?]*)[ -/]*([@-~]|$)|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?|\x1b[ -/]*[0-~]?/g;
// Other C0 and C1 controls (but tab and newline) and DEL are dropped as well.
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;
// eslint-disable-next-line no-control-regex
const NEEDS_PARSING = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** The 16 basic colours (xterm's defaults); the stylesheet adjusts lightness to the theme. */
const BASIC = [
  [0, 0, 0],
  [205, 49, 49],
  [13, 188, 121],
  [229, 229, 16],
  [36, 114, 200],
  [188, 63, 188],
  [17, 168, 205],
  [229, 229, 229],
  [102, 102, 102],
  [241, 76, 76],
  [35, 209, 139],
  [245, 245, 67],
  [59, 142, 234],
  [214, 112, 214],
  [41, 184, 219],
  [255, 255, 255],
];

/**
 * A message cut into runs by its ANSI SGR codes (16, 256 and 24-bit colours, bold);
 * every other escape and control character is removed, and a line redrawn after a `\r` shows
 * its last drawing. The result is rendered as text, never as HTML.
 */
export function parseAnsi(message: string): AnsiSegment[] {
  if (!NEEDS_PARSING.test(message)) return [{ text: message }];
  const segments: AnsiSegment[] = [];
  let attributes: Attributes = {};
  let last = 0;
  // A `\r` seen whose line goes on: the text after it redraws the line (see `redraw`).
  let carriageReturn = false;
  const append = (raw: string) => {
    const text = raw.replace(CONTROLS, '');
    if (!text) return;
    if (carriageReturn) {
      carriageReturn = false;
      if (text[0] !== '\n') redraw(segments);
    }
    const previous = segments[segments.length - 1];
    if (previous && sameAttributes(previous, attributes)) previous.text += text;
    else segments.push({ text, ...attributes });
  };
  const push = (raw: string) => {
    if (!raw.includes('\r')) return append(raw);
    const parts = raw.split('\r');
    append(parts[0]);
    for (let i = 1; i < parts.length; i++) {
      carriageReturn = true;
      append(parts[i]);
    }
  };
  for (const match of message.matchAll(ESCAPES)) {
    push(message.slice(last, match.index));
    last = match.index + match[0].length;
    if (match[2] === 'm') attributes = applySgr(attributes, match[1]);
  }
  push(message.slice(last));
  return segments.length ? segments : [{ text: '' }];
}

/**
 * A line redrawn after a `\r` (a progress bar, `50%\r\x1b[2K100%`) as the terminal last shows it:
 * the text of the line before the `\r` goes. A `\r` that ends a line (`\r\n`, or at the end) or
 * the message is only dropped. As the CLI logs such a line (README, `zen-sessions run`).
 */
function redraw(segments: AnsiSegment[]): void {
  while (segments.length > 0) {
    const segment = segments[segments.length - 1];
    const newline = segment.text.lastIndexOf('\n');
    if (newline !== -1) {
      segment.text = segment.text.slice(0, newline + 1);
      return;
    }
    segments.pop();
  }
}

/** The message without escapes and controls: what filters match and copies carry. */
export function plainText(segments: readonly AnsiSegment[]): string {
  return segments.length === 1 ? segments[0].text : segments.map((segment) => segment.text).join('');
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  return a.fg === b.fg && a.bg === b.bg && !!a.bold === !!b.bold;
}

function applySgr(current: Attributes, params: string): Attributes {
  // Parameters are split by `;`; one written with `:` carries its own sub-parameters (ITU T.416).
  const groups = params === '' ? ['0'] : params.split(';');
  const codes = groups.map((group) => number(group.split(':')[0]));
  let next: Attributes = { ...current };
  for (let i = 0; i < codes.length; i++) {
    const code = codes[i];
    if (groups[i].includes(':')) {
      if (code === 38 || code === 48) {
        const colour = colonColour(groups[i].split(':').map(number));
        if (colour) next[code === 38 ? 'fg' : 'bg'] = colour;
      }
      continue;
    }
    if (code === 0) next = {};
    else if (code === 1) next.bold = true;
    else if (code === 22) delete next.bold;
    else if (code >= 30 && code <= 37) next.fg = rgb(BASIC[code - 30]);
    else if (code >= 90 && code <= 97) next.fg = rgb(BASIC[code - 90 + 8]);
    else if (code === 39) delete next.fg;
    else if (code >= 40 && code <= 47) next.bg = rgb(BASIC[code - 40]);
    else if (code >= 100 && code <= 107) next.bg = rgb(BASIC[code - 100 + 8]);
    else if (code === 49) delete next.bg;
    else if (code === 38 || code === 48) {
      const [colour, used] = extendedColour(codes, i + 1);
      i += used;
      if (colour) next[code === 38 ? 'fg' : 'bg'] = colour;
    }
  }
  return next;
}

/** `5;n` (256 colours) or `2;r;g;b` (24-bit) after a 38/48; returns the colour and the codes it used. */
function extendedColour(codes: number[], at: number): [string | undefined, number] {
  if (codes[at] === 5) return [palette256(codes[at + 1]), 2];
  if (codes[at] === 2) {
    const [r, g, b] = codes.slice(at + 1, at + 4);
    const valid = [r, g, b].every((value) => Number.isInteger(value) && value >= 0 && value <= 255);
    return [valid ? rgb([r, g, b]) : undefined, 4];
  }
  return [undefined, 0];
}

/** `38:5:n`, `38:2:<colour space>:r:g:b` or `38:2:r:g:b` (both are written by tools). */
function colonColour(parts: number[]): string | undefined {
  if (parts[1] === 5) return palette256(parts[2]);
  if (parts[1] !== 2) return undefined;
  return extendedColour([2, ...parts.slice(parts.length >= 6 ? 3 : 2)], 0)[0];
}

function number(code: string): number {
  return code === '' ? 0 : Number(code);
}

function palette256(n: number): string | undefined {
  if (!Number.isInteger(n) || n < 0 || n > 255) return undefined;
  if (n < 16) return rgb(BASIC[n]);
  if (n >= 232) {
    const grey = 8 + (n - 232) * 10;
    return rgb([grey, grey, grey]);
  }
  const cube = n - 16;
  const level = (value: number) => (value === 0 ? 0 : 55 + value * 40);
  return rgb([level(Math.floor(cube / 36)), level(Math.floor(cube / 6) % 6), level(cube % 6)]);
}

function rgb([r, g, b]: readonly number[]): string {
  return `rgb(${r}, ${g}, ${b})`;
}
