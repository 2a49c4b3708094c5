const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
/** The most of a line going on without a newline that is held before it is handed over in pieces. */
const LONG_LINE_BYTES = 1024 * 1024;
/** The pieces it is handed over in: the server's default message limit, which the logger cuts at. */
const PIECE_BYTES = 64 * 1024;

/**
 * Where a line is: `bytes[start..end)`, UTF-8, without its `\n` or `\r\n`, and of a line redrawn
 * with `\r` only its last redraw. Valid only during the call.
 */
export type LineHandler = (bytes: Buffer, start: number, end: number) => void;

/**
 * Cuts a byte stream into lines (`\n` or `\r\n`) and hands each over as bytes: a line within one
 * chunk is a range of that chunk, with no string made for it (`\n` never occurs inside a UTF-8
 * character, so cutting at it never cuts one). A line begun in an earlier chunk is joined first.
 * A partial line is handed over `partialMs` after its first byte came without its newline, even
 * while more of it flows (a progress bar redrawn with `\r`, dots), up to its last whole character
 * (the rest waits for the line's next bytes); and at `end()`.
 *
 * A line redrawn with carriage returns (a progress bar: `[12/340] Building…\r[13/340] …`) is
 * handed over as a terminal last shows it: its last redraw, the bytes after its last `\r` (trailing
 * ones, as in `\r\r\n`, left aside). A partial one hands over its last finished redraw, the one in
 * progress waiting for its next `\r` or newline (or for its own second, if none comes). A newline
 * ending a line whose every byte was handed over already (as a partial line) adds no empty line,
 * nor do carriage returns after it, whenever they come.
 *
 * A line that reaches `longLineBytes` without a newline (a binary or a minified file written to
 * stdout, `cat /dev/zero`) is not held whole until its newline or its second: its whole
 * `pieceBytes` pieces are handed over at once (a redrawn one as after its second), so that what is
 * held stays bounded however long the line, and a slow server slows the command, as it does for
 * lines with newlines.
 */
export class LineSplitter {
  /** The bytes of a line begun in earlier chunks, in pieces, joined once it ends. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** The partial line's clock: set when it began (or was last handed over), cleared when it ends. */
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** The line going on was handed over, all of it, as a partial line: its newline ends it, adds no line. */
  private handedOver = false;

  constructor(
    private readonly onLine: LineHandler,
    private readonly partialMs = 1_000,
    /** While true, the rest of the line is held up on our side (a paused pipe): not a partial line. */
    private readonly held: () => boolean = () => false,
    private readonly longLineBytes = LONG_LINE_BYTES,
    private readonly pieceBytes = PIECE_BYTES,
  ) {}

  write(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(NEWLINE);
    // The line the clock ran for has ended; the next one's starts with its first byte.
    if (newline !== -1) this.stopClock();
    if (newline !== -1 && this.pending.length > 0) {
      this.hold(chunk.subarray(0, newline));
      const line = this.takePending();
      if (!this.handedOver || !onlyCarriageReturns(line, 0, line.length)) this.emit(line);
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    } else if (newline !== -1 && this.handedOver && onlyCarriageReturns(chunk, 0, newline)) {
      // Nothing came since the partial line was handed over: its newline is no line of its own.
      start = newline + 1;
      newline = chunk.indexOf(NEWLINE, start);
    }
    // Handed over, and nothing but \r since (often nothing: a check of the chunk's first byte).
    this.handedOver &&= start === 0 && onlyCarriageReturns(chunk, 0, chunk.length);
    // Where the chunk's next \r is, searched once a chunk, however many lines it holds.
    let cr = newline === -1 ? -1 : chunk.indexOf(CARRIAGE_RETURN, start);
    for (; newline !== -1; newline = chunk.indexOf(NEWLINE, start)) {
      if (cr !== -1 && cr < start) cr = chunk.indexOf(CARRIAGE_RETURN, start);
      if (cr !== -1 && cr < newline) this.emitRedrawn(chunk, start, newline, cr);
      else this.onLine(chunk, start, newline);
      start = newline + 1;
    }
    // A copy: a slice would keep the whole chunk alive while the line goes on.
    if (start < chunk.length) this.hold(Buffer.from(chunk.subarray(start)));
    if (this.pendingBytes >= this.longLineBytes) this.handOverLong();
    if (this.pending.length > 0 && !this.timer) this.armTimer();
  }

  /** The stream ended: whatever is left is the last line. */
  end(): void {
    this.flushPartial(true);
  }

  /**
   * A line with a `\r` in it (the first at `firstCr`): its last redraw. A `\r\n` line (Windows
   * tools) has its only `\r` at the end: handed over without looking back along it again.
   */
  private emitRedrawn(bytes: Buffer, start: number, end: number, firstCr: number): void {
    while (end > start && bytes[end - 1] === CARRIAGE_RETURN) end--;
    if (firstCr >= end) return this.onLine(bytes, start, end);
    this.onLine(bytes, bytes.lastIndexOf(CARRIAGE_RETURN, end - 1) + 1, end);
  }

  private emit(line: Buffer): void {
    const cr = line.indexOf(CARRIAGE_RETURN);
    if (cr !== -1) this.emitRedrawn(line, 0, line.length, cr);
    else this.onLine(line, 0, line.length);
  }

  private takePending(): Buffer {
    const line = this.pending.length === 1 ? this.pending[0] : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    return line;
  }

  private hold(bytes: Buffer): void {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
  }

  /**
   * The line going on has reached `longLineBytes`: its whole pieces are handed over now, up to its
   * last whole character, the rest waiting (its clock running on). Redrawn (a `\r` in it), as the
   * second's hand-over does it: its last finished redraw; a run of nothing but `\r`s is one.
   */
  private handOverLong(): void {
    const line = this.takePending();
    if (onlyCarriageReturns(line, 0, line.length)) return this.hold(line.subarray(0, 1));
    if (line.includes(CARRIAGE_RETURN)) {
      this.hold(line);
      return this.flushPartial(false);
    }
    const whole = wholeCharacters(line.subarray(0, line.length - (line.length % this.pieceBytes)));
    if (whole < line.length) this.hold(Buffer.from(line.subarray(whole)));
    if (whole > 0) this.onLine(line, 0, whole);
    this.handedOver = this.pending.length === 0;
    if (this.handedOver) this.stopClock();
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

  /**
   * Hands over the partial line: all of it at the end, else up to its last whole character, or,
   * redrawn, up to its last `\r` (its last finished redraw; the one in progress keeps the line's
   * clock running), unless no finished redraw comes before it.
   */
  private flushPartial(atEnd: boolean): void {
    this.stopClock();
    if (this.pending.length === 0) return;
    const line = this.takePending();
    // Only `\r`s: a redraw may follow (its bytes come after them), or a newline (an empty line,
    // or the end of the line handed over before); nothing new after a line handed over at the end.
    if (onlyCarriageReturns(line, 0, line.length) && (!atEnd || this.handedOver)) {
      if (!atEnd) this.hold(line);
      return;
    }
    let whole = atEnd ? line.length : wholeCharacters(line);
    const cr = atEnd || whole === 0 ? -1 : line.lastIndexOf(CARRIAGE_RETURN, whole - 1);
    const redrawing = cr !== -1 && cr + 1 < whole && hasRedraw(line, cr);
    if (redrawing) whole = cr;
    if (whole < line.length) this.hold(line.subarray(whole));
    if (whole > 0) this.emit(line.subarray(0, whole));
    this.handedOver = this.pending.length === 0;
    if (redrawing) this.armTimer();
  }
}

/** Whether `line[0..end)` holds a redraw with something in it (not only `\r`s). */
function hasRedraw(line: Buffer, end: number): boolean {
  return !onlyCarriageReturns(line, 0, end);
}

function onlyCarriageReturns(bytes: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] !== CARRIAGE_RETURN) return false;
  return true;
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
