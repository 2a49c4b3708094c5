import { StringDecoder } from 'node:string_decoder';

/**
 * Cuts a byte stream into lines (`\n` or `\r\n`), decoding UTF-8 across chunk boundaries.
 * A partial line is handed over after `partialMs` without its newline, and at `end()`.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';
  private timer: ReturnType<typeof setTimeout> | null = null;
  private writes = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly partialMs = 1_000,
    /** While true, the rest of the line is held up on our side (a paused pipe): not a partial line. */
    private readonly held: () => boolean = () => false,
  ) {}

  write(chunk: Buffer): void {
    this.writes++;
    const text = this.pending + this.decoder.write(chunk);
    let start = 0;
    for (let newline = text.indexOf('\n'); newline !== -1; newline = text.indexOf('\n', start)) {
      const end = newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      this.onLine(text.slice(start, end));
      start = newline + 1;
    }
    this.pending = start === 0 ? text : text.slice(start);
    this.armTimer();
  }

  /** The stream ended: whatever is left is the last line. */
  end(): void {
    this.pending += this.decoder.end();
    this.flushPartial();
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length > 0) {
      this.timer = setTimeout(() => this.partialDue(), this.partialMs);
    }
  }

  /**
   * A second without a newline, as far as the timer knows. A busy event loop may have data
   * waiting unread, so look again after this turn's I/O (setImmediate runs after the poll phase).
   */
  private partialDue(): void {
    const writes = this.writes;
    setImmediate(() => {
      if (this.writes !== writes || this.pending.length === 0) return; // more arrived: the line went on
      if (this.held()) this.armTimer();
      else this.flushPartial();
    });
  }

  private flushPartial(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.length === 0) return;
    const line = this.pending.endsWith('\r') ? this.pending.slice(0, -1) : this.pending;
    this.pending = '';
    this.onLine(line);
  }
}
