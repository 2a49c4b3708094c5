import { afterNextRender, DestroyRef, inject, Injector, signal, untracked } from '@angular/core';
import { Session } from '@zen/contract';
import { plural } from '../core/plural';
import { FollowScroll } from './follow-scroll';
import { LinkNotice } from './link-notice';
import { firstShown } from './shown-sessions';
import { LogRow } from './log-line';
import { LogSources, MAX_ROWS } from './log-sources';
import { OrderedView } from './ordered-view';
import { RowSelection } from './row-selection';

/** How long a merged view's permalinked line, once arrived, waits for the other sessions' backlogs. */
export const BACKLOG_WAIT_MS = 3000;

/** What showing a permalinked line reads and moves in the rest of the log view. */
export interface LinkedLog {
  sessions(): readonly Session[];
  /** The session the line is of (a merged view's URL lists it first); null: the first shown. */
  linkedId(): string | null;
  sources(): LogSources | null;
  visible(): OrderedView<LogRow>;
  selection: RowSelection;
  scroll: FollowScroll;
  /** Brings the log on screen where the page scrolls (narrow windows stack the panes): the line or its notice is seen. */
  reveal(): void;
}

/**
 * The line a link names (`?line=<seq>`): looked for as the sessions' rows arrive, then
 * selected, outlined and scrolled to, or a notice says why it is not shown (evicted, never
 * written, hidden by the filters, or no line number at all). The view opens paused on it.
 */
export class PermalinkLine {
  private readonly injector = inject(Injector);
  /** The permalinked line, until it is shown (or known to be gone); `source` is '' until its session is known. */
  private readonly pending = signal<{ source: string; seq: number } | null>(null);
  /** Why the line is not shown, brought on screen as the line would have been. */
  readonly notice = new LinkNotice('line', () => this.log.reveal());
  readonly highlightKey = signal<string | null>(null);
  /**
   * In a merged view, each session's cursor when the line was placed: the line is scrolled to once
   * every follow has read that far (entries and gaps alike). Each session's backlog comes in on its
   * own, and one older by time is merged in before the line, which an earlier scroll would have
   * lost. A cursor, not a count of rows: fewer rows than the sessions listed may come (entries
   * evicted meanwhile arrive as a gap, or the listing was stale).
   */
  private listed: ReadonlyMap<string, number> = new Map();
  /** Set once the line has waited BACKLOG_WAIT_MS for the other backlogs: it is shown anyway. */
  private readonly waitedOut = signal(false);
  private waitTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly log: LinkedLog) {
    inject(DestroyRef).onDestroy(() => this.stopWaiting());
  }

  /** Whether a line is on its way. */
  awaited(): boolean {
    return !!this.pending();
  }

  /** The line the view was opened on (its URL's `line`, or why that names none). */
  open(line: number | null, badLine: string | null): void {
    this.stopWaiting();
    if (line !== null) this.pending.set({ source: '', seq: line });
    this.notice.say(badLine);
  }

  /**
   * Back/forward to an entry whose URL names a line (`?line=`): the line is shown as on first
   * open — selected, outlined and scrolled to, or the notice of why not. The sessions of that
   * entry may come in with this render (their streams then start and place the line) or be
   * the ones shown already (then the line is placed here, after the render).
   */
  fromHistory(line: number | null, badLine: string | null): void {
    this.highlightKey.set(null);
    this.stopWaiting();
    if (line === null) this.pending.set(null);
    else this.awaitAfterRender(line);
    this.notice.say(badLine);
  }

  /** For a permalink: tell at once when the line was evicted or never written. */
  place(sessions: readonly Session[]): void {
    const pending = this.pending();
    if (!pending) return;
    const linked = this.log.linkedId();
    const session = linked === null ? sessions[0] : sessions.find((shown) => shown.id === linked);
    if (!session) {
      // Not another session's line of that number: the one named is not shown.
      this.giveUp(
        `Line ${pending.seq} is of session ${linked}, which the server does not know (it may have been forgotten after it ended).`,
      );
      return;
    }
    const firstHeld = session.logCursor - session.logCount;
    this.notice.clear();
    if (pending.seq < firstHeld) {
      this.giveUp(`Line ${pending.seq} was evicted: ${heldLines(firstHeld, session.logCursor)}.`);
    } else if (pending.seq >= session.logCursor) {
      this.giveUp(
        `Line ${pending.seq} has not been written: this session has ${plural(session.logCursor, 'line', 'lines')}.`,
      );
    } else if (pending.seq < firstShown(session)) {
      this.giveUp(
        `Line ${pending.seq} is older than the ${MAX_ROWS} newest lines this view shows: download the log to read it.`,
      );
    } else {
      this.pending.set({ source: session.id, seq: pending.seq });
      // The view opens paused on the line: what the sessions hold now is their backlog, not news
      // (in a merged view every session's, not only the one the line is in).
      const held = sessions.reduce((count, shown) => count + shown.logCursor - firstShown(shown), 0);
      this.log.scroll.countNewFrom(held);
      this.stopWaiting();
      this.listed = new Map(sessions.map((shown) => [shown.id, shown.logCursor]));
    }
  }

  /**
   * Once the permalinked line has arrived: select and highlight it, scrolled into view, or say
   * why it is not shown. Run in an effect, as rows arrive and filters change.
   */
  showWhenArrived(): void {
    const pending = this.pending();
    if (!pending?.source) return;
    const rows = this.log.visible();
    const key = `${pending.source}:${pending.seq}`;
    const index = rows.findIndex((row) => row.key === key);
    if (index !== -1) {
      // In a merged view, shown once every session's backlog is in (another's may yet come in before it).
      if (!this.backlogsIn() && !this.waitedOut()) return untracked(() => this.waitForBacklogs());
      return untracked(() => this.show(key));
    }
    if (
      this.log
        .sources()
        ?.rows()
        .some((row) => row.key === key)
    )
      return untracked(() => this.missed(`Line ${pending.seq} is hidden by the filters: change them to see it.`));
    const passed = rows.items.some(
      (row) => row.kind === 'entry' && row.source === pending.source && row.entry.seq > pending.seq,
    );
    if (passed)
      untracked(() => this.missed(`Line ${pending.seq} is not shown: it was evicted, or the filters hide it.`));
  }

  /** Whether every follow of a merged view has read as far as its session's cursor was when the line was placed. */
  private backlogsIn(): boolean {
    const sources = this.log.sources();
    if (!sources?.merged) return true;
    const cursors = sources.cursors();
    for (const [id, cursor] of this.listed) if ((cursors.get(id) ?? cursor) < cursor) return false;
    return true;
  }

  /**
   * A backlog that never reaches its listed cursor (the session started over, or a follow is
   * stuck) does not keep the line from being shown: after BACKLOG_WAIT_MS it is shown as it is.
   */
  private waitForBacklogs(): void {
    this.waitTimer ??= setTimeout(() => {
      this.waitTimer = null;
      this.waitedOut.set(true);
    }, BACKLOG_WAIT_MS);
  }

  private stopWaiting(): void {
    if (this.waitTimer !== null) clearTimeout(this.waitTimer);
    this.waitTimer = null;
    this.waitedOut.set(false);
  }

  private awaitAfterRender(line: number): void {
    this.pending.set({ source: '', seq: line });
    this.log.selection.keys.set(null);
    this.log.scroll.pause();
    afterNextRender(
      () => {
        if (this.pending()?.source !== '' || this.log.sessions().length === 0) return;
        const received = this.log.sources()?.received() ?? 0;
        this.place(this.log.sessions());
        // The same streams go on: what they brought so far is not news.
        if (this.pending()) this.log.scroll.countNewFrom(received);
      },
      { injector: this.injector },
    );
  }

  private show(key: string): void {
    this.stopWaiting();
    this.pending.set(null);
    this.highlightKey.set(key);
    this.log.selection.only(key);
    // Where the line is once rendered: rows that came in meanwhile may have moved it.
    afterNextRender(
      () => {
        const index = this.log.visible().findIndex((row) => row.key === key);
        if (index !== -1) this.log.scroll.intoView(index);
        this.log.reveal();
      },
      { injector: this.injector },
    );
  }

  /** The line is not in the log (or not yet written): said, and the view follows the log again. */
  private giveUp(notice: string): void {
    this.stopWaiting();
    this.notice.say(notice);
    this.pending.set(null);
    this.log.scroll.following.set(true);
  }

  private missed(notice: string): void {
    this.stopWaiting();
    this.pending.set(null);
    this.notice.say(notice);
  }
}

/** What the server still holds of a log whose lines from `firstHeld` up to `cursor` are kept. */
function heldLines(firstHeld: number, cursor: number): string {
  if (firstHeld === cursor) return "the server holds none of this session's lines now";
  if (firstHeld === cursor - 1) return `the server now holds only line ${firstHeld} of this session`;
  return `the server now holds lines ${firstHeld}–${cursor - 1} of this session`;
}
