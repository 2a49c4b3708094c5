import { LOG_LEVELS, LogEntry, LogLevel } from '@zen/contract';
import { AnsiSegment, parseAnsi, plainText } from './ansi';

/** An entry prepared once for showing, filtering and copying. */
export interface LogLine {
  kind: 'entry';
  /** Unique in a view: source and seq. */
  key: string;
  /** The session the entry belongs to. */
  source: string;
  entry: LogEntry;
  timeMs: number;
  /** The message's text runs (ANSI colours applied, other escapes removed). */
  segments: AnsiSegment[];
  /** The message as plain text. */
  text: string;
  /** Lines of `text`: rows are this many lines high even unwrapped. */
  lines: number;
  /** `text` lower-cased once, so that a filter keystroke compares without case folding. */
  lower: string;
  /** Which characters `lower` holds (`charMask`): a filter skips rows lacking one of its own. */
  chars: number;
  /** Unreal log category (`LogInit` in `LogInit: Display: …`), or null. */
  category: string | null;
  /** Where the text after the category (`Display: …`) starts; 0 without a category. */
  bodyStart: number;
  /** The entry's level, raised by an Unreal verbosity (`Warning`, `Error`, `Fatal`) in the message. */
  severity: LogLevel;
}

/** Where the server evicted entries before this view read them. */
export interface GapLine {
  kind: 'gap';
  key: string;
  source: string;
  dropped: number;
  /** The seq the gap ends before. */
  before: number;
  timeMs: number;
}

export type LogRow = LogLine | GapLine;

// `[2026.11.24-12.00.00:123][  0]LogInit: Display: message`: the bracketed prefix is
// optional; a category without a verbosity must look like one (`Log` and a capital or digit:
// `LogD3D12RHI`, not the word `Login` or `Logging`).
const UNREAL =
  /^(?:\[[^\]]*\]\[\s*\d+\])?(?:(Log[A-Z0-9_][A-Za-z0-9_]*): (?:(Fatal|Error|Warning|Display|Log|Verbose|VeryVerbose): )?|([A-Za-z][A-Za-z0-9_]*): (Fatal|Error|Warning|Display|Verbose|VeryVerbose): )/;

const VERBOSITY_LEVEL: Record<string, LogLevel> = { Fatal: 'error', Error: 'error', Warning: 'warn' };

export function logLine(source: string, entry: LogEntry): LogLine {
  const segments = parseAnsi(entry.message);
  const text = plainText(segments);
  const unreal = UNREAL.exec(text);
  const category = unreal ? (unreal[1] ?? unreal[3]) : null;
  const lower = text.toLowerCase();
  const verbosityLevel = unreal ? VERBOSITY_LEVEL[unreal[2] ?? unreal[4]] : undefined;
  return {
    kind: 'entry',
    key: `${source}:${entry.seq}`,
    source,
    entry,
    timeMs: Date.parse(entry.time),
    segments,
    text,
    lines: lineCount(text),
    lower,
    chars: charMask(lower),
    category,
    bodyStart: category ? text.indexOf(category) + category.length + 2 : 0,
    severity: verbosityLevel && moreSevere(verbosityLevel, entry.level) ? verbosityLevel : entry.level,
  };
}

/**
 * Lines as the browser shows `text` in a column `columns` characters wide (0: not wrapping):
 * each line of the text takes as many as its characters need (`wrappedLines`), at least one,
 * and a newline at the very end opens no line of its own. The one rule for both a row's own lines and its
 * wrapped height. `hidden`: characters at the start of the text that are not shown.
 */
export function lineCount(text: string, columns = 0, hidden = 0): number {
  let lines = 0;
  // The next tab, looked for once per text rather than once per line (a long trace has many).
  let tab = columns > 0 ? text.indexOf('\t') : -1;
  for (let start = 0; ; ) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    if (columns > 0) {
      const from = start === 0 ? Math.min(hidden, stop) : start;
      if (tab !== -1 && tab < from) tab = text.indexOf('\t', from);
      const wrapped = tab !== -1 && tab < stop ? wrappedWithTabs : wrappedLines;
      lines += wrapped(text, from, stop, columns);
    } else {
      lines += 1;
    }
    if (end === -1 || end === text.length - 1) return lines;
    start = end + 1;
  }
}

/**
 * Lines of `text` from `from` to `stop` (no newline or tab between) broken anywhere
 * (`word-break: break-all`) every `columns` characters, where spaces at a line's end hang past
 * it, as `white-space: pre-wrap` has them: the next line starts after them.
 */
function wrappedLines(text: string, from: number, stop: number, columns: number): number {
  let lines = 1;
  for (let at = from + columns; at < stop; at += columns) {
    while (at < stop && text.charCodeAt(at) === 32) at++;
    if (at === stop) break;
    lines++;
  }
  return lines;
}

/** Width of a tab stop, in characters (CSS `tab-size`). */
const TAB_SIZE = 8;

/**
 * `wrappedLines` character by character, for a line with tabs: a tab reaches the next tab stop
 * of its line, and like a space it hangs past the line's end rather than wrapping.
 */
function wrappedWithTabs(text: string, from: number, stop: number, columns: number): number {
  let lines = 1;
  let column = 0;
  for (let i = from; i < stop; i++) {
    const code = text.charCodeAt(i);
    if (code === 32 || code === 9) {
      if (column < columns) column += code === 9 ? TAB_SIZE - (column % TAB_SIZE) : 1;
    } else {
      if (column + 1 > columns) {
        lines++;
        column = 0;
      }
      column++;
    }
  }
  return lines;
}

/** Letters that have a bit of their own in `charMask`; other characters share bits. */
const LETTER_BITS = 26;

/**
 * The characters of a lower-cased text as 32 bits: one per letter a–z, digits share five,
 * everything else one. A row whose mask lacks a bit of the filter's cannot contain it.
 */
export function charMask(lower: string): number {
  let mask = 0;
  for (let i = 0; i < lower.length; i++) {
    const code = lower.charCodeAt(i);
    if (code >= 97 && code <= 122) mask |= 1 << (code - 97);
    else if (code >= 48 && code <= 57) mask |= 1 << (LETTER_BITS + ((code - 48) % 5));
    else mask |= 1 << 31;
  }
  return mask;
}

/** True when `charMask(lower)` alone says whether a text contains `lower` (one letter). */
export function maskDecides(lower: string): boolean {
  const code = lower.charCodeAt(0);
  return lower.length === 1 && code >= 97 && code <= 122;
}

export function gapLine(source: string, dropped: number, before: number, timeMs: number): GapLine {
  return { kind: 'gap', key: `${source}:gap${before}`, source, dropped, before, timeMs };
}

function moreSevere(a: LogLevel, b: LogLevel): boolean {
  return LOG_LEVELS.indexOf(a) > LOG_LEVELS.indexOf(b);
}
