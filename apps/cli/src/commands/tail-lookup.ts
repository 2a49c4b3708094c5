import {
  ApiError,
  Backoff,
  isRetryable,
  LookedUpSession,
  lookUpSession,
  SessionLookup,
  SessionsClient,
} from '@zen/client';
import type { Session } from '@zen/contract';
import { describe, warn } from '../reporting';

/** How long a lookup of the followed session goes unanswered before its failures are told: as for a lost connection. */
const LOOKUP_QUIET_MS = 10_000;

/**
 * `GET /sessions/{id}` before `tail -f` follows, asked again while the server is away (no answer:
 * refused, reset, timed out; a `5xx` such as nginx's `502` with every replica down or a `503` while
 * its store is away; a `429`, after its `Retry-After`), with the live client's backoff (250 ms
 * doubling to 5 s), as the checks after a reconnect are. Silent for LOOKUP_QUIET_MS, then one line
 * says what it waits for; nothing more until it answers. An answer that the session is not there or
 * not allowed (`404`, `401`, `403`, `400`) is thrown, and ends the command with exit 1 as before.
 */
export async function firstLookup(client: SessionsClient, id: string): Promise<Session> {
  const backoff = new Backoff({ initialMs: 250, maxMs: 5_000 });
  // It fails at every try: one line, of the latest failure.
  const unanswered = new UnansweredLookup('latest');
  unanswered.asked();
  try {
    for (;;) {
      try {
        return await client.sessions.get(id);
      } catch (error) {
        if (!isRetryable(error)) throw error;
        unanswered.failed(`cannot look up session ${id} to follow it (${describe(error)}); still trying`);
        const retryAfter = error instanceof ApiError ? (error.retryAfterMs ?? 0) : 0;
        await new Promise((done) => setTimeout(done, backoff.next(retryAfter)));
      }
    }
  } finally {
    unanswered.end();
  }
}

/**
 * The session lookup of the live client's checks after each reconnect, and the lines its failures
 * get: each one the live client tells (each different failure of a check, once), held as
 * `UnansweredLookup` holds them.
 */
export function checkReporter(client: SessionsClient): {
  lookup: SessionLookup;
  failed: (line: string) => void;
  end: () => void;
} {
  const unanswered = new UnansweredLookup('each');
  const lookup: SessionLookup = async (id, signal): Promise<LookedUpSession | null> => {
    unanswered.asked();
    const session = await lookUpSession(client, id, signal);
    unanswered.answered();
    return session;
  };
  return { lookup, failed: (line) => unanswered.failed(line), end: () => unanswered.end() };
}

/**
 * A lookup of the followed session asked again until it answers, and the lines its failures get.
 * Told at once, a short outage that the follow rides out (a Redis restarted under the replicas,
 * both replicas behind nginx killed and started again: the lookup meets a 503 or nginx's 502)
 * would leave a line or more on stderr, where a lost connection is ridden out silently for
 * LOOKUP_QUIET_MS. So its failures are held until it has gone unanswered that long since it was
 * first asked, even while a try still waits for its answer (then told, and those after them at
 * once), and forgotten once it answers. `each`: every failure given gets its line; `latest`: only
 * the latest one when they are told, then none until it answers.
 */
export class UnansweredLookup {
  /** When the lookup was first asked since it last answered (null: it answered). */
  private since: number | null = null;
  private held: string[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Whether a line was told since it last answered (`latest` tells no more). */
  private told = false;

  constructor(private readonly lines: 'each' | 'latest') {}

  asked(): void {
    this.since ??= Date.now();
  }

  answered(): void {
    this.since = null;
    this.end();
  }

  failed(line: string): void {
    if (this.lines === 'each') this.held.push(line);
    else if (!this.told) this.held = [line];
    const waited = Date.now() - (this.since ?? Date.now());
    if (waited >= LOOKUP_QUIET_MS) return this.tell();
    this.timer ??= setTimeout(() => this.tell(), LOOKUP_QUIET_MS - waited);
  }

  /** Forgets what is held: it answered, or the follow is over. */
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
