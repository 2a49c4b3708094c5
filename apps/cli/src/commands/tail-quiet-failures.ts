import { warn } from '../reporting';

/**
 * How long `tail -f` waits silently for what it retries (a lookup of the followed session, a lost
 * live connection) before it tells the failures: the time a request waits for an answer.
 */
export const QUIET_MS = 10_000;

/**
 * The failures of something `tail -f` retries until it succeeds (a lookup of the followed session,
 * a live connection lost once it was open), and the lines they get. Told at once, a short outage
 * that the follow rides out (a Redis restarted under the replicas, both replicas behind nginx
 * killed and started again: a lookup meets a 503 or nginx's 502, the connection is refused) would
 * leave a line or more on stderr. So its failures are held until it has waited QUIET_MS since it
 * began to wait (a lookup: since first asked, even while a try still waits for its answer; a
 * connection: since it was lost), then told, and those after them at once, and forgotten once it
 * succeeds. `each`: every failure given gets its line; `latest`: only the latest one when they are
 * told, then none until it succeeds.
 */
export class QuietFailures {
  /** When it began to wait since it last succeeded (null: it succeeded). */
  private since: number | null = null;
  private held: string[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Whether a line was told since it last succeeded (`latest` tells no more). */
  private told = false;

  constructor(private readonly lines: 'each' | 'latest') {}

  /** It waits from now (asked, or lost), unless it already was: the quiet time counts from then. */
  waiting(): void {
    this.since ??= Date.now();
  }

  /** It answered, or opened. */
  succeeded(): void {
    this.since = null;
    this.end();
  }

  failed(line: string): void {
    if (this.lines === 'each') this.held.push(line);
    else if (!this.told) this.held = [line];
    const waited = Date.now() - (this.since ?? Date.now());
    if (waited >= QUIET_MS) return this.tell();
    this.timer ??= setTimeout(() => this.tell(), QUIET_MS - waited);
  }

  /** Forgets what is held: it succeeded, or the follow is over. */
  end(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.held = [];
    this.told = false;
  }

  private tell(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const line of this.held.splice(0)) warn(line);
    this.told = true;
  }
}
