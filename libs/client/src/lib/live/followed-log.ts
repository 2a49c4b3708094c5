import { LogEventData, WS_EVENTS } from '@zen/contract';
import type { Backoff } from '../backoff';
import type { LiveClient } from './live-client';
import type { LogFollowHandlers } from './live-client-options';
import type { Send } from './live-connection';
import { CheckAnswer, SessionCheck } from './session-check';
import type { SessionLookup } from './session-lookup';
import { callUser } from './user-callback';

/** What a follow is given by the client that holds it. */
export interface FollowWiring {
  readonly send: Send;
  /**
   * It takes an event of its subscription (between telling its gap and its entries): when it had
   * been refused, the server serves it again, so one it refuses next is tried again soon.
   */
  readonly served: (follow: FollowedLog) => void;
  /** How to check that its session is still the one followed (none: it is not checked). */
  readonly lookup: SessionLookup | null;
  /** A backoff of its own, for asking the lookup again. */
  readonly newBackoff: () => Backoff;
  /** Its session check answered. */
  readonly checked: (follow: FollowedLog, answer: CheckAnswer) => void;
  /** Its session check's lookup failed (not told again while it fails so, until it answers). */
  readonly lookupFailed: (id: string, error: unknown) => void;
}

/**
 * One followed session log: its subscription and where reading would resume (`cursor`), and
 * what it takes of each `log` event: every entry once, in order, and every gap once.
 */
export class FollowedLog {
  /** The session's `created` as the lists or the lookup showed it, once they have. */
  created?: string;
  /**
   * How far the server's log is known to have reached: past the last entry taken, or the
   * `logCursor` a session check answered. A check that answers less: the log went back.
   */
  confirmed = 0;
  readonly check: SessionCheck;
  /** Told when the follow goes on as another, on another connection (see `LiveClient`). */
  moved?: (to: { client: LiveClient; follow: FollowedLog }) => void;
  /** Stopped, replaced by another follow of its session, or moved to another connection: told nothing more. */
  stopped = false;
  /** Its refusal (by the server, or the lookup finding no session) was told since it was last subscribed. */
  private refusalTold = false;
  /**
   * Subscribed from `cursor` and waiting for that subscription's first event: events of an earlier
   * subscription of the session (a replaced follow's, or the old log's before starting over) are skipped.
   */
  private subscribing = false;
  /** Where the session's log ended, once the lists showed it ended; null while it has not. */
  private endCursor: number | null = null;
  private endTold = false;

  constructor(
    readonly id: string,
    public cursor: number,
    readonly handlers: LogFollowHandlers,
    private readonly wiring: FollowWiring,
  ) {
    this.check = new SessionCheck(
      id,
      wiring.lookup,
      wiring.newBackoff(),
      (answer) => wiring.checked(this, answer),
      (error) => wiring.lookupFailed(id, error),
    );
  }

  /**
   * Subscribes from the cursor. Until the first event of this subscription, `log` events of the
   * session still on their way belong to an earlier one (of a follow it replaced, or one it
   * started over from): `take` skips them.
   */
  subscribe(): void {
    this.subscribing = true;
    this.refusalTold = false;
    this.wiring.send(WS_EVENTS.subscribeLog, { id: this.id, cursor: this.cursor });
  }

  unsubscribe(): void {
    this.wiring.send(WS_EVENTS.unsubscribeLog, { id: this.id });
  }

  /** True the first time since it was last subscribed: the server and the lookup may both refuse it. */
  firstRefusal(): boolean {
    if (this.refusalTold) return false;
    this.refusalTold = true;
    return true;
  }

  /** Another session than the one followed so far: its `created` is not the one known. */
  isAnother(created: string): boolean {
    return this.created !== undefined && this.created !== created;
  }

  /** A `log` event of its session: held while the session is checked, else taken. */
  receive(data: LogEventData): void {
    if (!this.check.hold(data)) this.take(data);
  }

  /** What was held while its session was checked, unless a handler stops, replaces or starts it over meanwhile. */
  takeHeld(held: readonly LogEventData[], followed: () => boolean): void {
    const round = this.check.round;
    for (const data of held) {
      // A handler may have stopped or replaced the follow, started it over, or closed the client.
      if (!followed() || this.check.round !== round) return;
      this.take(data);
    }
  }

  /** The lists showed its session ended, its log at `logCursor`: told once read up to there. */
  ended(logCursor: number): void {
    this.endCursor = logCursor;
    this.tellEnd();
  }

  /** The sessions feed named its session among those the server forgot. */
  forgotten(): void {
    if (!this.stopped) callUser(this.handlers.onForgotten);
  }

  /** The follow now reads the log of the session `created` (unknown: the next one seen), from seq 0. */
  startOver(created?: string): void {
    this.forgetEnd();
    this.check.end();
    this.cursor = 0;
    this.confirmed = 0;
    this.created = created;
    callUser(this.handlers.onRestarted, created);
  }

  /** The server's log went back to `logCursor` entries: the follow goes on from there. */
  rewind(logCursor: number): void {
    const seen = this.confirmed;
    this.forgetEnd();
    this.check.end();
    this.cursor = logCursor;
    this.confirmed = logCursor;
    callUser(this.handlers.onRewound, logCursor, seen);
  }

  private take(data: LogEventData): void {
    if (this.subscribing) {
      // The subscription's first event starts at its cursor (past what was evicted before it); an
      // earlier subscription's, at the cursor the server had reached for it. One that starts at the
      // same place brings the same entries, and may be taken.
      if ((data.entries[0]?.seq ?? data.cursor) !== this.cursor + data.dropped) return;
      this.subscribing = false;
    }
    this.tellGap(data);
    // onDropped may have stopped it (a tool that gives up at a gap): not a word more.
    if (this.stopped) return;
    this.wiring.served(this);
    // After a resubscription the backlog may overlap what was seen: each entry once.
    const fresh = data.entries.filter((entry) => entry.seq >= this.cursor);
    this.cursor = Math.max(this.cursor, data.cursor);
    if (fresh.length > 0) this.confirmed = Math.max(this.confirmed, fresh[fresh.length - 1].seq + 1);
    if (fresh.length > 0) callUser(this.handlers.onEntries, fresh, this.cursor);
    this.tellEnd();
  }

  /** Tells the end once the follow has read up to it (and is still followed). */
  private tellEnd(): void {
    if (this.endTold || this.stopped || this.endCursor === null || this.cursor < this.endCursor) return;
    this.endTold = true;
    callUser(this.handlers.onEnded, this.endCursor);
  }

  /** Another log now (started over, or gone back): its end is not known yet. */
  private forgetEnd(): void {
    this.endCursor = null;
    this.endTold = false;
  }

  /**
   * The gap ends where the event's entries begin. Like its entries, it may overlap what was seen
   * (a follow replaced from the same cursor takes the old subscription's event, then its own
   * backlog, the same gap in front): only the part past the cursor is news, each seq told once.
   */
  private tellGap(data: LogEventData): void {
    const next = data.entries[0];
    const gapEnd = next?.seq ?? data.cursor;
    const dropped = Math.min(data.dropped, gapEnd - this.cursor);
    if (dropped > 0) {
      callUser(this.handlers.onDropped, dropped, next ? { seq: next.seq, time: next.time } : { seq: data.cursor });
    }
  }
}
