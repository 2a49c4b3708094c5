import { ApiError, LogFilters, LogFollowHandlers, SessionsClient } from '@zen/client';
import type { Session } from '@zen/contract';
import { describe } from '../reporting';
import type { PrintedLog } from './tail-output';

/** How often `tail -f` reads over HTTP while its WebSocket has never opened. */
const POLL_MS = 1_000;

/**
 * What the polls tell the follow: what its WebSocket would, the same handlers, and where the
 * WebSocket is to resume. Every one but `onProgress` ends the follow, which stops the poller.
 */
export interface PollHandlers extends Required<Pick<LogFollowHandlers, 'onEnded' | 'onRestarted' | 'onRewound'>> {
  /** The server has no such session (its 404, in its words). */
  onMissing(why: string): void;
  /** The polls printed up to `cursor`: where the WebSocket follows on from once it opens. */
  onProgress(cursor: number): void;
}

/**
 * While the WebSocket has never opened (a proxy that does not pass the upgrade), the follow
 * reads over HTTP every POLL_MS: the session, then its log from what was printed. It prints what
 * is new, and ends as over the WebSocket: at the session's end once every entry up to it is
 * printed (exit 0), or with exit 1 when the server no longer has the session, has another one
 * under its id, or a log that went back. A poll that fails is tried again at the next (the
 * WebSocket's line tells that the server cannot be reached). Once the WebSocket opens, it follows
 * on from where the polls got to, and the poller stops for good.
 */
export class LogPoller {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private started = false;
  private stopped = false;

  constructor(
    private readonly client: SessionsClient,
    private readonly session: Session,
    private readonly filters: LogFilters,
    private readonly printed: PrintedLog,
    private readonly handlers: PollHandlers,
  ) {}

  /** Polls now, then every POLL_MS; once started (or stopped), it does nothing. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    void this.tick();
  }

  /** For good: the WebSocket has opened, or the follow is over. A poll under way prints nothing more. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async tick(): Promise<void> {
    this.timer = null;
    try {
      await this.poll();
    } catch (error) {
      if (error instanceof ApiError && error.status === 404 && !this.stopped) {
        return this.handlers.onMissing(describe(error));
      }
    }
    if (!this.stopped) this.timer = setTimeout(() => void this.tick(), POLL_MS);
  }

  /** The session, then its log from what was printed; each checked as the WebSocket's would be. */
  private async poll(): Promise<void> {
    const { id, created } = this.session;
    const now = await this.client.sessions.get(id);
    if (this.stopped) return;
    if (now.created !== created) return this.handlers.onRestarted(now.created);
    if (now.logCursor < this.printed.seen) return this.handlers.onRewound(now.logCursor, this.printed.seen);
    const page = await this.client.logs.readAll(id, { cursor: this.printed.next, ...this.filters });
    if (this.stopped) return;
    const from = this.printed.next;
    this.printed.gap(page.dropped, from + page.dropped);
    this.printed.take(page.entries, page.cursor);
    if (this.printed.next > from) this.handlers.onProgress(this.printed.next);
    if (now.status === 'ended' && this.printed.next >= now.logCursor) this.handlers.onEnded(now.logCursor);
  }
}
