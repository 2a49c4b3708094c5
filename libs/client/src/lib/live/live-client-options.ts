import type { LogEntry } from '@zen/contract';
import { Backoff } from '../backoff';
import type { SessionsClient } from '../rest/sessions-client';
import type { SessionLookup } from './session-lookup';
import type { WebSocketFactory } from './websocket';

export interface LiveClientOptions {
  /** The service, base path included: `https://host/zen`. */
  server: string;
  /** The read token; a function is asked again at every (re)connect (a browser tab whose user just typed it). */
  token?: string | (() => string | null | undefined);
  /** Wait for `open()` before connecting (follows registered meanwhile are sent on connect). */
  lazy?: boolean;
  /** How to open a socket; the platform's WebSocket by default (`@zen/client/node` passes `ws`). */
  webSocket?: WebSocketFactory;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /**
   * The connection opened, or was lost or could not be opened (`lost`, `detail` saying why as far
   * as the socket tells); it reconnects by itself until `close()`.
   */
  onConnection?: (state: 'open' | 'lost', detail?: string) => void;
  /** An `error` event from the server (the connection stays open). */
  onServerError?: (message: string) => void;
  /**
   * How to look a followed session up, so that a follow never resumes from its cursor inside
   * another log. A server without a store that restarted may hold a session under the same id
   * again, created anew by its producer (as `zen-sessions run` does): its log starts over at seq 0,
   * and resuming from the cursor would deliver its later entries and skip its first ones in
   * silence. With it, when a follow starts and after every reconnect, each followed log's entries
   * and dropped reports are held until its session's `created` is known (asked again with backoff
   * while the server does not answer; past 10,000 entries held, they are let go and subscribed
   * again from the cursor once it answers); a session with another `created` than before makes the
   * follow start over at seq 0 (`onRestarted`), and none at all counts as the server's refusal
   * (`onRefused`, or started over and subscribed again).
   *
   * A `SessionsClient` is asked `GET /sessions/{id}` (a `404` is no such session) and the log's
   * cursor (`lookUpSession`); a function resolves with the session (its `created` is what counts,
   * and a `logCursor`, the log's own cursor, if given: see `onRewound`), with null when there is none, and
   * rejects when it cannot tell; its `signal` aborts once the answer is no longer wanted (`close()`,
   * the follow stopped), which the `SessionsClient` passes on to its request. Without it, only the sessions lists the server sends (on connect,
   * then now and then) tell, and only of a follow one of them showed before the connection was lost.
   *
   * At most SESSION_LOOKUPS_IN_FLIGHT (8) lookups are in flight at once (for the client and the
   * extra connections it opens): after a reconnect every follow is looked up, in the order the
   * follows were made, the others waiting their turn, so that 2,000 follows do not send the
   * server, just restarted, 2,000 requests at once. `close()` and `stop()` abort the ones in
   * flight and drop the waiting ones, never asked.
   */
  sessionLookup?: SessionsClient | SessionLookup;
  /**
   * A `sessionLookup` of a followed session failed (rejected or threw: no answer, a `5xx`, a `401`;
   * not its answer that there is no such session, which is told as a refusal): the follow's
   * entries stay held while it is asked again with backoff. Told once per follow for each
   * different failure (its kind, status and message; at most 5 of them) until a lookup of it
   * answers again, not at every try, so that an outage does not flood; not told for a lookup
   * aborted because its answer is no longer wanted.
   */
  onLookupError?: (sessionId: string, error: unknown) => void;
}

/** How a follow starts (`followLog`'s last argument). */
export interface LogFollowOptions {
  /**
   * The entries before the cursor were seen (read over HTTP first, as `tail -f` prints the backlog
   * before it follows): a `sessionLookup` answering a `logCursor` below the cursor is then a log
   * that went back (`onRewound`), as it is for entries the follow delivered. Without it (the
   * default) a cursor past the log's end is taken as a cursor-mode read takes it: nothing comes
   * until the log reaches it, and nothing is told.
   */
  cursorSeen?: boolean;
}

export interface LogFollowHandlers {
  /** New entries, in order, each seen once; `cursor` is where reading would resume. */
  onEntries: (entries: LogEntry[], cursor: number) => void;
  /** Entries evicted before they could be read; `at` is where reading went on after the gap. */
  onDropped?: (count: number, at: DroppedAt) => void;
  /**
   * The server refused the (re)subscription: it has no such session (a server without a store
   * restarted, or it forgot an ended session). `message` is the server's. Without this handler
   * the subscription is sent again with backoff, so a session created again with the same id is
   * followed again; with it, the handler decides (call `stop()` to give up).
   */
  onRefused?: (message: string) => void;
  /**
   * The log followed is gone and the follow starts over at seq 0: the server had no such session
   * any more (refused, without `onRefused`), or its session under this id is another one (its
   * `created` changed, as the sessions lists or `sessionLookup` showed: a server without a store
   * restarted and the session was created again). `created` is the new session's, when known.
   * Entries that follow are the new log's, from seq 0; call `stop()` to give up instead.
   */
  onRestarted?: (created?: string) => void;
  /**
   * The server's log of the session is behind what this follow has seen of it: it holds `logCursor`
   * entries ever appended, where `seen` had been (its store came back in an older state: a Redis
   * restored from an older snapshot, or a failover to one that lagged). What it appends next takes
   * seqs already seen. Known from `sessionLookup`, after a reconnect. The follow goes on from
   * `logCursor` (what was appended after the store went back and before the lookup answered is not
   * delivered: the follow cannot tell where that was); call `stop()` to give up instead.
   */
  onRewound?: (logCursor: number, seen: number) => void;
  /**
   * The session has ended and every entry up to its end (`logCursor`, where its log stopped) was
   * delivered or told dropped: nothing more will come (as `kubectl logs -f` returns when its
   * container ends). Told once, from the sessions lists the server sends (an ended session with
   * its final counters), whether they or the last entries come first; at once after the backlog
   * for a session that had ended before it was followed. The follow stays until `stop()`.
   */
  onEnded?: (logCursor: number) => void;
  /**
   * The server forgot the session, its log with it: a `sessions-delta` named it `removed` (only
   * while the sessions are followed in `delta` mode). The server forgets ended sessions only (past
   * SESSIONS_RETAIN_ENDED), so it had ended; one forgotten as it ended (SESSIONS_RETAIN_ENDED=0) is
   * never shown ended, and this is how its end is known. Entries the server sent before it forgot
   * the session came first, on the same connection. The server also refuses the subscription
   * (`onRefused`, or a start over without it), mostly before the delta comes. The follow stays
   * until `stop()`.
   */
  onForgotten?: () => void;
}

/** Where a gap ends: the seq (and time, when an entry follows in the same event) of what comes next. */
export interface DroppedAt {
  seq: number;
  time?: string;
}

/** One followed session log; `cursor` moves as entries arrive. */
export interface LogFollow {
  readonly id: string;
  readonly cursor: number;
  stop(): void;
}

/** A backoff with the reconnect delays: every wait of the live client (reconnect, resubscribe, check) uses them. */
export function reconnectBackoff(options: LiveClientOptions): Backoff {
  return new Backoff({
    initialMs: options.reconnectInitialMs ?? 250,
    maxMs: options.reconnectMaxMs ?? 5_000,
  });
}
