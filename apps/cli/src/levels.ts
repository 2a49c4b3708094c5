import type { LogLevel } from '@zen/contract';

// `Error: ...`, or Unreal's `[time][frame]LogCook: Warning: ...` (one category word before the verbosity).
const MARKER = /^(?:\[[^\]]*\])*\s*(?:[A-Za-z_]\w*:\s*)?(Error|error|Fatal|Warning|warning|Verbose|VeryVerbose):/;

const LEVEL_OF_MARKER: Record<string, LogLevel> = {
  Error: 'error',
  error: 'error',
  Fatal: 'error',
  Warning: 'warn',
  warning: 'warn',
  Verbose: 'debug',
  VeryVerbose: 'debug',
};

// CSI sequences: colours (SGR: build tools print `error:` in red, as `ESC[31merror ESC[0m:`), and
// the cursor moves and erasures a tool redrawing its output puts before a line (`ESC[1A ESC[2K`).
// eslint-disable-next-line no-control-regex -- the escape character is what this looks for
const CSI = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const ESC = '\u001b';

/** The level a line's verbosity marker or leading word names, or null when it names none; escapes do not hide it. */
export function markerLevel(line: string): LogLevel | null {
  const match = MARKER.exec(line.includes(ESC) ? line.replace(CSI, '') : line);
  return match ? LEVEL_OF_MARKER[match[1]] : null;
}

const COLON = 0x3a;

/**
 * `markerLevel` for lines given as bytes (see LineSplitter). Every marker ends in a colon, so a
 * line without one names no level and is never decoded; where the next colon is in a chunk is
 * kept, so the search costs one pass over a chunk, however many lines it holds.
 */
export class ByteMarkers {
  private searched: Buffer | null = null;
  /** Where the next colon at or after `from` is in `searched` (Infinity: none). */
  private colon = Infinity;
  private from = 0;

  levelOf(bytes: Buffer, start: number, end: number): LogLevel | null {
    if (bytes !== this.searched || start < this.from || this.colon < start) {
      const found = bytes.indexOf(COLON, start);
      this.searched = bytes;
      this.from = start;
      this.colon = found === -1 ? Infinity : found;
    }
    return this.colon < end ? markerLevel(bytes.toString('utf8', start, end)) : null;
  }
}
