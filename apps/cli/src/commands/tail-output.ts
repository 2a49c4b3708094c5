import { formatTextLine } from '@zen/client';
import type { LogEntry } from '@zen/contract';

/** Writes entries to stdout, one line each, in one write; none writes nothing. */
export function printer(format: 'text' | 'ndjson'): (entries: LogEntry[]) => void {
  const line = format === 'ndjson' ? (entry: LogEntry) => JSON.stringify(entry) : formatTextLine;
  return (entries) => {
    if (entries.length === 0) return;
    let text = '';
    for (const entry of entries) text += line(entry) + '\n';
    process.stdout.write(text);
  };
}

/** Entries evicted before they could be read: one line on stderr, not a silent gap. */
export function reportDropped(count: number): void {
  process.stderr.write(`-- ${count} entries dropped --\n`);
}

/**
 * What a follow has printed: the next seq to print. The WebSocket and the polls (`LogPoller`)
 * both bring entries and gaps, the WebSocket resuming where the polls got to, so each entry and
 * each dropped one is told from here on, once. Once the follow is over nothing more is printed:
 * after a loss, what still comes is another log's.
 */
export class PrintedLog {
  private over = false;
  private readonly start: number;

  /**
   * `seenAtStart`: how far the log was known to reach as the follow began, which is less than
   * `cursor` for a `--cursor` past the log's end (its entries before it were never there to see).
   */
  constructor(
    private cursor: number,
    private readonly seenAtStart: number,
    private readonly print: (entries: LogEntry[]) => void,
    private readonly keep: (entry: LogEntry) => boolean,
  ) {
    this.start = cursor;
  }

  /** The next seq to print. */
  get next(): number {
    return this.cursor;
  }

  /**
   * How far the log is known to have reached: the cursor, once entries or a gap moved it; before
   * that, what the first reads showed. A log found shorter than this went back.
   */
  get seen(): number {
    return this.cursor > this.start ? this.cursor : this.seenAtStart;
  }

  /** Entries, with the cursor after them: those from `next` on that the filters keep, once. */
  take(entries: LogEntry[], cursor: number): void {
    if (this.over) return;
    this.print(entries.filter((entry) => entry.seq >= this.cursor && this.keep(entry)));
    this.cursor = Math.max(this.cursor, cursor);
  }

  /** A gap of `count` entries ending at `at`: the part of it past what was printed, once. */
  gap(count: number, at: number): void {
    if (this.over) return;
    const news = Math.min(count, at - this.cursor);
    if (news > 0) reportDropped(news);
    this.cursor = Math.max(this.cursor, at);
  }

  /** The follow is over: nothing more is printed or told dropped. */
  close(): void {
    this.over = true;
  }
}
