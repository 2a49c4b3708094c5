import {
  isSubscriptionLimitWhy,
  parseOid,
  parseSubscribeLogRefusal,
  ServerMessage,
  Session,
  SessionsFeedMode,
  WS_EVENTS,
} from '@zen/contract';
import { FollowedLog, FollowWiring } from './followed-log';
import {
  LiveClientOptions,
  LogFollow,
  LogFollowHandlers,
  LogFollowOptions,
  reconnectBackoff,
} from './live-client-options';
import { LiveConnection } from './live-connection';
import { LookupQueue } from './lookup-queue';
import { RefusedFollows } from './refused-follows';
import { CheckAnswer } from './session-check';
import { lookupOf } from './session-lookup';
import { SessionsList, SessionsListener } from './sessions-list';
import { callUser } from './user-callback';

/** The protocol's sessions feed modes (a Record, so that a mode added to the contract must be added here). */
const FEED_MODES: Record<SessionsFeedMode, true> = { full: true, delta: true };

export type {
  DroppedAt,
  LiveClientOptions,
  LogFollow,
  LogFollowHandlers,
  LogFollowOptions,
} from './live-client-options';
export { liveUrl } from './live-connection';
export type { LookedUpSession, SessionLookup } from './session-lookup';
export { lookUpSession } from './session-lookup';
export { SESSION_LOOKUPS_IN_FLIGHT } from './lookup-queue';

/**
 * The WebSocket side of the contract: follows any number of session logs and the
 * sessions list, reconnecting with backoff and resuming every log from its cursor.
 */
export class LiveClient {
  private readonly connection: LiveConnection;
  private readonly follows = new Map<string, FollowedLog>();
  private readonly sessions: SessionsList;
  private readonly refused: RefusedFollows;
  private readonly wiring: FollowWiring;
  /**
   * Follows the server would not take on this connection (past its WS_MAX_SUBSCRIPTIONS) live on
   * another connection of their own, made when first needed, and so on: any number can be followed.
   */
  private overflow: LiveClient | null = null;
  /**
   * Where its follows' session lookups wait for one of SESSION_LOOKUPS_IN_FLIGHT places: after a
   * reconnect every follow is looked up. Shared with its overflow connections.
   */
  private lookups = new LookupQueue();

  constructor(private readonly options: LiveClientOptions) {
    this.connection = new LiveConnection(options, {
      opened: () => this.resubscribe(),
      received: (message) => this.receive(message),
    });
    const send = this.connection.send;
    this.sessions = new SessionsList(
      send,
      (sessions) => this.noteCreated(sessions),
      (ids) => this.noteForgotten(ids),
    );
    this.refused = new RefusedFollows(reconnectBackoff(options), (follow) => this.subscribeAgain(follow));
    const lookup = lookupOf(options.sessionLookup);
    this.wiring = {
      send,
      served: (follow) => this.refused.served(follow),
      lookup: lookup && ((id, signal) => this.lookups.run(() => lookup(id, signal), signal)),
      newBackoff: () => reconnectBackoff(options),
      checked: (follow, answer) => this.checked(follow, answer),
      lookupFailed: (id, error) => callUser(options.onLookupError, id, error),
    };
    if (!options.lazy) this.open();
  }

  get url(): string {
    return this.connection.url;
  }

  get connected(): boolean {
    return this.connection.connected;
  }

  /**
   * Follows a session's log from `cursor` (0 for its first entry; a count, else a RangeError).
   * Following it again replaces the previous follow, from any cursor, lower or higher: every
   * entry from the new cursor comes once, in order.
   */
  followLog(id: string, cursor: number, handlers: LogFollowHandlers, options: LogFollowOptions = {}): LogFollow {
    // The server answers these with an error event only, and the follow would wait for ever.
    const oid = typeof id === 'string' ? parseOid(id) : null;
    if (oid === null)
      throw new TypeError(`followLog: ${JSON.stringify(id)} is not a session id (24 hexadecimal characters)`);
    if (!Number.isSafeInteger(cursor) || cursor < 0) {
      throw new RangeError(`followLog: the cursor must be a non-negative integer, not ${cursor}`);
    }
    const follow = new FollowedLog(oid, cursor, handlers, this.wiring);
    if (options.cursorSeen) follow.confirmed = cursor;
    // A follow of it on another connection (past the limit of this one) is replaced too.
    this.overflow?.stopId(follow.id);
    this.add(follow);
    // Where the follow lives: here, or on another connection once this one could not take it.
    let at: { client: LiveClient; follow: FollowedLog } = { client: this, follow };
    follow.moved = (moved) => (at = moved);
    return {
      id: follow.id,
      get cursor() {
        return at.follow.cursor;
      },
      stop: () => at.client.stop(at.follow),
    };
  }

  private add(follow: FollowedLog): void {
    const replaced = this.follows.get(follow.id);
    if (replaced) {
      replaced.stopped = true;
      replaced.check.end();
    }
    this.follows.set(follow.id, follow);
    follow.subscribe();
    // Checked once connected (resubscribe): a client closed, or not opened yet (lazy), asks nothing,
    // and a lookup asked again while its server is away would keep the process alive.
    if (this.connection.connected) follow.check.start();
  }

  private stopId(id: string): void {
    const follow = this.follows.get(id);
    if (follow) this.stop(follow);
    this.overflow?.stopId(id);
  }

  /**
   * The server refused a follow because this connection follows as many sessions as it allows:
   * it goes on on another connection, from its cursor (unsubscribed here, should a replaced
   * follow's subscription have got in meanwhile).
   */
  private moveToOverflow(follow: FollowedLog): void {
    this.stop(follow);
    if (!this.overflow) {
      this.overflow = new LiveClient({ ...this.options, lazy: false, onConnection: undefined });
      this.overflow.lookups = this.lookups;
      // Its follows need only their sessions' `created`: the changes, not a full list every second.
      this.overflow.followSessions(() => undefined, 'delta');
    }
    const moved = new FollowedLog(follow.id, follow.cursor, follow.handlers, this.overflow.wiring);
    moved.created = follow.created;
    moved.confirmed = follow.confirmed;
    moved.moved = follow.moved;
    this.overflow.add(moved);
    follow.moved?.({ client: this.overflow, follow: moved });
  }

  /**
   * Follows the sessions list: `listener` gets the whole list on every change. In `delta`
   * mode the server sends one baseline, then only changes, which are applied here.
   * A list already received is given to the new listener at once. A mode the protocol does not
   * have throws a TypeError here: the server would refuse it, and the listener would wait forever.
   */
  followSessions(listener: SessionsListener, mode: SessionsFeedMode = 'full'): () => void {
    if (!Object.hasOwn(FEED_MODES, mode)) {
      throw new TypeError(`followSessions: mode must be 'full' or 'delta', not ${JSON.stringify(mode)}`);
    }
    return this.sessions.follow(listener, mode);
  }

  /** Connects (again, after `close()`), now, resubscribing every follow from its cursor. */
  open(): void {
    this.connection.open();
    this.overflow?.open();
  }

  /** Disconnects and stays down until `open()`; follows and their cursors are kept. */
  close(): void {
    this.refused.cancel();
    // What is held was not taken: the follows resume from their cursors, checked again, on open().
    for (const follow of this.follows.values()) follow.check.end();
    this.connection.close();
    this.overflow?.close();
  }

  private isFollowed(follow: FollowedLog): boolean {
    return this.follows.get(follow.id) === follow;
  }

  private stop(follow: FollowedLog): void {
    if (!this.isFollowed(follow)) return;
    follow.stopped = true;
    this.follows.delete(follow.id);
    follow.check.end();
    follow.unsubscribe();
  }

  /** A new connection knows nothing of this client: everything followed is asked for again. */
  private resubscribe(): void {
    this.sessions.resubscribe();
    for (const follow of this.follows.values()) {
      follow.subscribe();
      follow.check.start();
    }
  }

  private subscribeAgain(follow: FollowedLog): void {
    if (!this.isFollowed(follow)) return;
    follow.subscribe();
    follow.check.start();
  }

  private receive(message: ServerMessage): void {
    switch (message.event) {
      case WS_EVENTS.log:
        return this.follows.get(message.data.id)?.receive(message.data);
      case WS_EVENTS.sessions:
        return this.sessions.receiveList(message.data);
      case WS_EVENTS.sessionsDelta:
        return this.sessions.receiveDelta(message.data);
      case WS_EVENTS.error:
        // A follow past the connection's limit is not an error to the user: it goes on on another.
        if (this.receiveError(message.data.message) === 'moved') return;
        return callUser(this.options.onServerError, message.data.message);
    }
  }

  /**
   * An `error` event carries no subscription, only the server's message: `subscribe-log:
   * session <id> not found` (read by the contract's parseSubscribeLogRefusal, the pair of what
   * the gateway writes) names a follow the server refused. Its handler hears of it, or it is
   * tried again later; never left silently unsubscribed. `… not subscribed: …` (the server's
   * store could not answer) is always tried again: the session may well exist. One past the
   * connection's WS_MAX_SUBSCRIPTIONS goes on on another connection: 'moved' (no error to tell),
   * also when an earlier refusal of it moved it already; one stopped before its refusal came
   * was moved nowhere, and the error is told like any other.
   */
  private receiveError(text: string): 'moved' | undefined {
    const refused = parseSubscribeLogRefusal(text);
    if (!refused) return undefined;
    const follow = this.follows.get(refused.id);
    const overLimit = refused.reason === 'not subscribed' && isSubscriptionLimitWhy(refused.why);
    if (follow && overLimit) this.moveToOverflow(follow);
    else if (follow && refused.reason === 'not found') this.notFound(follow, text);
    else if (follow) this.refused.later(follow);
    return overLimit && (follow || this.overflow?.followsId(refused.id)) ? 'moved' : undefined;
  }

  /** Whether the session's log is followed here or on an overflow connection. */
  private followsId(id: string): boolean {
    return this.follows.has(id) || (this.overflow?.followsId(id) ?? false);
  }

  /** The session check's answer: the session is gone, another one, or the one followed (what it held is taken). */
  private checked(follow: FollowedLog, { created, logCursor, held, lapsed }: CheckAnswer): void {
    if (!this.isFollowed(follow)) return;
    if (created === null) return this.notFound(follow, `session ${follow.id} not found`);
    if (follow.isAnother(created)) return this.restart(follow, created);
    follow.created = created;
    if (logCursor !== undefined) {
      // A log's logCursor only grows: less than was seen of it is a store that went back.
      if (logCursor < follow.confirmed) return this.rewind(follow, logCursor);
      follow.confirmed = logCursor;
    }
    if (lapsed) return follow.subscribe();
    follow.takeHeld(held, () => this.isFollowed(follow));
  }

  /**
   * The server has no such session (it refused the subscription, or `sessionLookup` found none):
   * told once for a subscription, though both may say so.
   */
  private notFound(follow: FollowedLog, message: string): void {
    if (!follow.firstRefusal()) return;
    // What is held belongs to a log that is gone.
    follow.check.end();
    if (follow.handlers.onRefused) return callUser(follow.handlers.onRefused, message);
    // The log followed is gone: a session created again under its id has a log of its own.
    if (follow.created !== undefined) follow.startOver();
    if (this.isFollowed(follow)) this.refused.later(follow);
  }

  /**
   * A followed session with another `created` than the lists showed before is another session
   * (created again after a server without a store restarted): its log is followed from 0. The
   * server sends its list at once on connect, so this is mostly known before the log resumed.
   * An ended one's end is told to its follow once read up to it (`onEnded`).
   */
  private noteCreated(sessions: readonly Session[]): void {
    for (const session of sessions) {
      const follow = this.follows.get(session.id);
      if (!follow) continue;
      if (follow.isAnother(session.created)) {
        this.restart(follow, session.created);
        continue;
      }
      follow.created = session.created;
      if (session.status === 'ended') follow.ended(session.logCursor);
    }
  }

  /** The server forgot these sessions (a delta named them `removed`): a follow of one is told (`onForgotten`). */
  private noteForgotten(ids: readonly string[]): void {
    for (const id of ids) this.follows.get(id)?.forgotten();
  }

  /**
   * The session's log is behind what was seen of it (its store went back): what was held came
   * from the old cursor, past the log's end; the follow goes on from its `logCursor`.
   */
  private rewind(follow: FollowedLog, logCursor: number): void {
    follow.rewind(logCursor);
    if (this.isFollowed(follow)) follow.subscribe();
  }

  /** Starts the follow over on the log of the session created again, at seq 0. */
  private restart(follow: FollowedLog, created: string): void {
    follow.startOver(created);
    if (this.isFollowed(follow)) follow.subscribe();
  }
}
