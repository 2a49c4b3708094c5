const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/** Where a line is: `bytes[start..end)`, UTF-8, without its `\n` or `\r\n`. Valid only during the call. */
export type LineHandler = (bytes: Buffer, start: number, end: number) => void;

/**
 * Cuts a byte stream into lines (`\n` or `\r\n`) and hands each over as bytes: a line within one
 * chunk is a range of that chunk, with no string made for it (`\n` never occurs inside a UTF-8
 * character, so cutting at it never cuts one). A line begun in an earlier chunk is joined first.
 * A partial line is handed over `partialMs` after its first byte came without its newline, even
 * while more of it flows (a progress bar redrawn with `\r`, dots), up to its last whole character
 * (the rest waits for the line's next bytes); and at `end()`.
 */
export class LineSplitter {
  /** The bytes of a line begun in earlier chunks, in pieces, joined once it ends. */
  private pending: Buffer[] = [];
  /** The partial line's clock: set when it began (or was last handed over), cleared when it ends. */
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly onLine: LineHandler,
    private readonly partialMs = 1_000,
    /** While true, the rest of the line is held up on our side (a paused pipe): not a partial line. */
    private readonly held: () => boolean = () => false,
  ) {}

  write(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    // The line the clock ran for has ended; the next one's starts with its first byte.
    if (newline !== -1) this.stopClock();
    if (newline !== -1 && this.pending.length > 0) {
      this.pending.push(chunk.subarray(0, newline));
      this.emit(this.takePending());
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    for (; newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      this.emitRange(chunk, start, newline);
      start = newline + 1;
    }
    // A copy: a slice would keep the whole chunk alive while the line goes on.
    if (start < chunk.length) this.pending.push(Buffer.from(chunk.subarray(start)));
    if (this.pending.length > 0 && !this.timer) this.armTimer();
  }

  /** The stream ended: whatever is left is the last line. */
  end(): void {
    this.flushPartial(true);
  }

  private emitRange(bytes: Buffer, start: number, end: number): void {
    this.onLine(bytes, start, end > start && bytes[end - 1] === CARRIAGE_RETURN ? end - 1 : end);
  }

  private emit(line: Buffer): void {
    this.emitRange(line, 0, line.length);
  }

  private takePending(): Buffer {
    const line = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    return line;
  }

  private armTimer(): void {
    this.stopClock();
    const timer = setTimeout(() => this.partialDue(timer), this.partialMs);
    this.timer = timer;
  }

  private stopClock(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * The partial line began a second ago, as far as the timer knows. A busy event loop may have
   * its newline waiting unread, so look again after this turn's I/O (setImmediate runs after the
   * poll phase): if the line ended meanwhile, its clock was stopped.
   */
  private partialDue(timer: ReturnType<typeof setTimeout>): void {
    setImmediate(() => {
      if (this.timer !== timer || this.pending.length === 0) return;
      if (this.held()) this.armTimer();
      else this.flushPartial(false);
    });
  }

  /** Hands over the partial line: all of it at the end, else up to its last whole character. */
  private flushPartial(atEnd: boolean): void {
    this.stopClock();
    if (this.pending.length === 0) return;
    const line = this.takePending();
    const whole = atEnd ? line.length : wholeCharacters(line);
    if (whole < line.length) this.pending.push(line.subarray(whole));
    if (whole > 0) this.emit(line.subarray(0, whole));
  }
}

/** How many bytes of `bytes` are whole UTF-8 characters: all but an unfinished one at the end. */
export function wholeCharacters(bytes: Buffer): number {
  // A character is at most 4 bytes: look back at most 3 for the lead byte of the last one.
  for (let i = bytes.length - 1; i >= Math.max(0, bytes.length - 4); i--) {
    const byte = bytes[i];
    if (byte < 0x80) return bytes.length; // ASCII: nothing unfinished
    if (byte >= 0xc0) {
      const size = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return bytes.length - i >= size ? bytes.length : i;
    }
  }
  return bytes.length; // no lead byte near the end: invalid bytes, handed over as they are
}
