import {
  LogEntry,
  LogEventData,
  parseSubscribeLogRefusal,
  ServerMessage,
  Session,
  SessionList,
  SessionsDeltaData,
  SessionsFeedMode,
  SESSIONS_WS_PATH,
  WS_EVENTS,
} from '@zen/contract';
import { Backoff } from '../backoff';
import { ApiError } from '../errors';
import { SessionsClient } from '../rest/sessions-client';
import { globalWebSocketFactory, WebSocketFactory, WebSocketLike, WS_OPEN } from './websocket';

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
   * A `SessionsClient` is asked `GET /sessions/{id}` (a `404` is no such session); a function
   * resolves with the session (its `created` is what counts), with null when there is none, and
   * rejects when it cannot tell. Without it, only the sessions lists the server sends (on connect,
   * then now and then) tell, and only of a follow one of them showed before the connection was lost.
   */
  sessionLookup?: SessionsClient | SessionLookup;
}

/** The most entries a follow holds while its session is checked (see `LiveClientOptions.sessionLookup`). */
const HELD_ENTRIES_MAX = 10_000;

/** A followed session as the server has it now: its `created`, or null when it has no such session. */
export type SessionLookup = (id: string) => Promise<{ created: string } | null>;

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

type SessionsListener = (list: SessionList) => void;

/**
 * The WebSocket side of the contract: follows any number of session logs and the
 * sessions list, reconnecting with backoff and resuming every log from its cursor.
 */
export class LiveClient {
  private socket: WebSocketLike | null = null;
  private readonly follows = new Map<string, FollowState>();
  private readonly listeners = new Set<SessionsListener>();
  private sessionsMode: SessionsFeedMode = 'full';
  /** The list in the server's order (newest first); a Map keeps it. */
  private sessions = new Map<string, Session>();
  /** Null until the first full list: a delta has nothing to apply to before it. */
  private serverSessionId: string | null = null;
  private readonly backoff: Backoff;
  private readonly factory: WebSocketFactory;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly resubscribeBackoff: Backoff;
  private resubscribeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Follows the server refused (no such session), to subscribe again when the timer fires. */
  private readonly refused = new Set<FollowState>();
  private closed = true;
  private readonly lookup: SessionLookup | null;

  constructor(private readonly options: LiveClientOptions) {
    const factory = options.webSocket ?? globalWebSocketFactory();
    if (!factory) throw new Error('no WebSocket here: pass `webSocket` (in Node 20, use @zen/client/node)');
    this.factory = factory;
    this.lookup = lookupOf(options.sessionLookup);
    this.backoff = new Backoff({
      initialMs: options.reconnectInitialMs ?? 250,
      maxMs: options.reconnectMaxMs ?? 5_000,
    });
    this.resubscribeBackoff = new Backoff({
      initialMs: options.reconnectInitialMs ?? 250,
      maxMs: options.reconnectMaxMs ?? 5_000,
    });
    if (!options.lazy) this.open();
  }

  get url(): string {
    return liveUrl(this.options.server);
  }

  get connected(): boolean {
    return this.socket?.readyState === WS_OPEN;
  }

  /**
   * Follows a session's log from `cursor` (default 0). Following it again replaces the previous
   * follow, from any cursor, lower or higher: every entry from the new cursor comes once, in order.
   */
  followLog(id: string, cursor: number, handlers: LogFollowHandlers): LogFollow {
    const state: FollowState = {
      id: id.toLowerCase(),
      cursor,
      handlers,
      subscribing: false,
      refusalTold: false,
      held: null,
      heldEntries: 0,
      checks: 0,
      checkTimer: null,
      checkBackoff: this.newBackoff(),
    };
    const replaced = this.follows.get(state.id);
    if (replaced) this.endCheck(replaced);
    this.follows.set(state.id, state);
    this.subscribe(state);
    this.check(state);
    return {
      id: state.id,
      get cursor() {
        return state.cursor;
      },
      stop: () => {
        if (this.follows.get(state.id) !== state) return;
        this.follows.delete(state.id);
        this.endCheck(state);
        this.send(WS_EVENTS.unsubscribeLog, { id: state.id });
      },
    };
  }

  /**
   * Follows the sessions list: `listener` gets the whole list on every change. In `delta`
   * mode the server sends one baseline, then only changes, which are applied here.
   * A list already received is given to the new listener at once.
   */
  followSessions(listener: SessionsListener, mode: SessionsFeedMode = 'full'): () => void {
    this.listeners.add(listener);
    if (this.serverSessionId !== null) listener(this.currentList());
    if (mode !== this.sessionsMode) {
      this.sessionsMode = mode;
      this.send(WS_EVENTS.subscribeSessions, { mode });
    }
    return () => this.listeners.delete(listener);
  }

  /** Connects (again, after `close()`), now, resubscribing every follow from its cursor. */
  open(): void {
    this.closed = false;
    if (this.socket) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.backoff.reset();
    this.connect();
  }

  /** Disconnects and stays down until `open()`; follows and their cursors are kept. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.resubscribeTimer) clearTimeout(this.resubscribeTimer);
    this.resubscribeTimer = null;
    // What is held was not taken: the follows resume from their cursors, checked again, on open().
    for (const state of this.follows.values()) this.endCheck(state);
    this.socket?.close(1000);
    this.socket = null;
  }

  private connect(): void {
    const token = typeof this.options.token === 'function' ? this.options.token() : this.options.token;
    const socket = this.factory(this.url, token ?? undefined);
    this.socket = socket;
    socket.onopen = () => {
      this.backoff.reset();
      this.options.onConnection?.('open');
      if (this.sessionsMode === 'delta') this.send(WS_EVENTS.subscribeSessions, { mode: 'delta' });
      for (const state of this.follows.values()) {
        this.subscribe(state);
        this.check(state);
      }
    };
    // A closed socket may still deliver frames while it closes: they belong to no one now.
    socket.onmessage = (event) => {
      if (this.socket === socket) this.receive(event.data);
    };
    // 'close' follows and reconnects; the error (ws's, not a browser's) says why, which the close may not.
    let error = '';
    socket.onerror = (event) => (error = errorMessage(event));
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closed) return;
      const why = event.reason || error;
      this.options.onConnection?.('lost', `closed with ${event.code}${why ? `: ${why}` : ''}`);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        if (!this.closed) this.connect();
      }, this.backoff.next());
    };
  }

  /**
   * Subscribes the follow from its cursor. Until the first event of this subscription, `log`
   * events of the session still on their way belong to an earlier one (of a follow it replaced,
   * or one it started over from): receiveLog skips them.
   */
  private subscribe(state: FollowState): void {
    state.subscribing = true;
    state.refusalTold = false;
    this.send(WS_EVENTS.subscribeLog, { id: state.id, cursor: state.cursor });
  }

  /**
   * With a `sessionLookup`: holds what the follow receives until its session's `created` is known
   * and the same as before (or first known). What was held before is dropped, not delivered: it was
   * not taken (the cursor did not move), so the subscription just sent brings it again.
   */
  private check(state: FollowState): void {
    const lookup = this.lookup;
    if (!lookup) return;
    this.endCheck(state);
    state.held = [];
    this.ask(state, lookup);
  }

  private ask(state: FollowState, lookup: SessionLookup): void {
    const check = state.checks;
    const answered = (created: string | null | undefined) => {
      if (check === state.checks && this.follows.get(state.id) === state) this.checked(state, created);
    };
    // A lookup that throws rather than rejects has not answered either.
    new Promise<{ created: string } | null>((resolve) => resolve(lookup(state.id))).then(
      (session) => answered(session ? session.created : null),
      () => answered(undefined),
    );
  }

  /** The lookup's answer: the session's `created`, null (no such session), or undefined (no answer). */
  private checked(state: FollowState, created: string | null | undefined): void {
    if (created === undefined) {
      state.checkTimer = setTimeout(() => {
        state.checkTimer = null;
        if (this.lookup) this.ask(state, this.lookup);
      }, state.checkBackoff.next());
      return;
    }
    state.checkBackoff.reset();
    const held = state.held ?? [];
    const lapsed = state.heldEntries > HELD_ENTRIES_MAX;
    this.endCheck(state);
    if (created === null) return this.notFound(state, `session ${state.id} not found`);
    if (state.created !== undefined && state.created !== created) return this.restart(state, created);
    state.created = created;
    if (lapsed) return this.subscribe(state);
    const round = state.checks;
    for (const data of held) {
      // A handler may have stopped or replaced the follow, started it over, or closed the client.
      if (this.follows.get(state.id) !== state || state.checks !== round) return;
      this.takeLog(state, data);
    }
  }

  /** Forgets a check under way (its answer, once it comes, is ignored) and what it held. */
  private endCheck(state: FollowState): void {
    state.checks++;
    state.held = null;
    state.heldEntries = 0;
    if (state.checkTimer) clearTimeout(state.checkTimer);
    state.checkTimer = null;
  }

  /** Starts the follow over on the log of the session created again, at seq 0. */
  private restart(state: FollowState, created: string): void {
    this.startOver(state, created);
    if (this.follows.get(state.id) === state) this.subscribe(state);
  }

  private newBackoff(): Backoff {
    return new Backoff({
      initialMs: this.options.reconnectInitialMs ?? 250,
      maxMs: this.options.reconnectMaxMs ?? 5_000,
    });
  }

  private send(event: string, data: unknown): void {
    if (this.socket?.readyState === WS_OPEN) this.socket.send(JSON.stringify({ event, data }));
  }

  private receive(raw: unknown): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(typeof raw === 'string' ? raw : String(raw)) as ServerMessage;
    } catch {
      return;
    }
    switch (message.event) {
      case WS_EVENTS.log:
        return this.receiveLog(message.data);
      case WS_EVENTS.sessions:
        return this.receiveList(message.data);
      case WS_EVENTS.sessionsDelta:
        return this.receiveDelta(message.data);
      case WS_EVENTS.error:
        this.options.onServerError?.(message.data.message);
        return this.receiveError(message.data.message);
    }
  }

  /**
   * An `error` event carries no subscription, only the server's message: `subscribe-log:
   * session <id> not found` (read by the contract's parseSubscribeLogRefusal, the pair of what
   * the gateway writes) names a follow the server refused. Its handler hears of it, or it is
   * tried again later; never left silently unsubscribed. `… not subscribed: …` (the server's
   * store could not answer) is always tried again: the session may well exist.
   */
  private receiveError(text: string): void {
    const refused = parseSubscribeLogRefusal(text);
    const state = refused ? this.follows.get(refused.id) : undefined;
    if (!state) return;
    if (refused?.reason === 'not found') return this.notFound(state, text);
    this.resubscribeLater(state);
  }

  /**
   * The server has no such session (it refused the subscription, or `sessionLookup` found none):
   * told once for a subscription, though both may say so.
   */
  private notFound(state: FollowState, message: string): void {
    if (state.refusalTold) return;
    state.refusalTold = true;
    // What is held belongs to a log that is gone.
    this.endCheck(state);
    if (state.handlers.onRefused) return state.handlers.onRefused(message);
    // The log followed is gone: a session created again under its id has a log of its own.
    if (state.created !== undefined) this.startOver(state);
    if (this.follows.get(state.id) === state) this.resubscribeLater(state);
  }

  private resubscribeLater(state: FollowState): void {
    this.refused.add(state);
    this.resubscribeTimer ??= setTimeout(() => {
      this.resubscribeTimer = null;
      for (const each of this.refused) {
        if (this.follows.get(each.id) !== each) continue;
        this.subscribe(each);
        this.check(each);
      }
      this.refused.clear();
    }, this.resubscribeBackoff.next());
  }

  private receiveLog(data: LogEventData): void {
    const state = this.follows.get(data.id);
    if (!state) return;
    if (!state.held) return this.takeLog(state, data);
    // Held for long (the server answers the socket, not the lookup): rather than without bound,
    // what comes is let go, and the subscription sent again from the cursor once the check answers.
    state.heldEntries += data.entries.length;
    if (state.heldEntries <= HELD_ENTRIES_MAX) state.held.push(data);
    else state.held.length = 0;
  }

  private takeLog(state: FollowState, data: LogEventData): void {
    if (state.subscribing) {
      // The subscription's first event starts at its cursor (past what was evicted before it); an
      // earlier subscription's, at the cursor the server had reached for it. One that starts at the
      // same place brings the same entries, and may be taken.
      if ((data.entries[0]?.seq ?? data.cursor) !== state.cursor + data.dropped) return;
      state.subscribing = false;
    }
    // The gap ends where the event's entries begin. Like its entries, it may overlap what was seen
    // (a follow replaced from the same cursor takes the old subscription's event, then its own
    // backlog, the same gap in front): only the part past the cursor is news, each seq told once.
    const next = data.entries[0];
    const gapEnd = next?.seq ?? data.cursor;
    const dropped = Math.min(data.dropped, gapEnd - state.cursor);
    if (dropped > 0) {
      state.handlers.onDropped?.(dropped, next ? { seq: next.seq, time: next.time } : { seq: data.cursor });
    }
    this.resubscribeBackoff.reset();
    // After a resubscription the backlog may overlap what was seen: each entry once.
    const fresh = data.entries.filter((entry) => entry.seq >= state.cursor);
    state.cursor = Math.max(state.cursor, data.cursor);
    if (fresh.length > 0) state.handlers.onEntries(fresh, state.cursor);
  }

  private receiveList(list: SessionList): void {
    this.sessions.clear();
    for (const session of list.sessions) this.sessions.set(session.id, session);
    this.serverSessionId = list.serverSessionId;
    this.noteCreated(list.sessions);
    this.emitList();
  }

  /**
   * A followed session with another `created` than the lists showed before is another session
   * (created again after a server without a store restarted): its log is followed from 0. The
   * server sends its list at once on connect, so this is mostly known before the log resumed.
   */
  private noteCreated(sessions: readonly Session[]): void {
    for (const session of sessions) {
      const state = this.follows.get(session.id);
      if (!state) continue;
      if (state.created !== undefined && state.created !== session.created) {
        this.restart(state, session.created);
        continue;
      }
      state.created = session.created;
    }
  }

  /** The follow now reads the log of the session `created` (unknown: the next one seen), from seq 0. */
  private startOver(state: FollowState, created?: string): void {
    this.endCheck(state);
    state.cursor = 0;
    state.created = created;
    state.handlers.onRestarted?.(created);
  }

  private receiveDelta(delta: SessionsDeltaData): void {
    if (this.serverSessionId === null) return; // the baseline follows
    for (const id of delta.removed) this.sessions.delete(id);
    this.noteCreated(delta.upserted);
    // Changed sessions keep their place; new ones are the newest, so they go first.
    const added = delta.upserted.filter((session) => !this.sessions.has(session.id));
    for (const session of delta.upserted) if (this.sessions.has(session.id)) this.sessions.set(session.id, session);
    if (added.length > 0)
      this.sessions = new Map([...added.map((session) => [session.id, session] as const), ...this.sessions]);
    this.emitList();
  }

  private emitList(): void {
    if (this.listeners.size === 0) return;
    const list = this.currentList();
    for (const listener of this.listeners) listener(list);
  }

  private currentList(): SessionList {
    return { sessions: [...this.sessions.values()], serverSessionId: this.serverSessionId ?? '' };
  }
}

interface FollowState {
  readonly id: string;
  cursor: number;
  readonly handlers: LogFollowHandlers;
  /** The session's `created` as the lists or the lookup showed it, once they have. */
  created?: string;
  /** Its refusal (by the server, or the lookup finding no session) was told since it was last subscribed. */
  refusalTold: boolean;
  /** While its session is checked (`sessionLookup`): the log events received meanwhile, not taken yet. */
  held: LogEventData[] | null;
  /** The entries received while held; past HELD_ENTRIES_MAX, they are let go. */
  heldEntries: number;
  /** Counts the checks begun, so that the answer of one ended meanwhile is ignored. */
  checks: number;
  /** The next check, when the lookup did not answer. */
  checkTimer: ReturnType<typeof setTimeout> | null;
  readonly checkBackoff: Backoff;
  /**
   * Subscribed from `cursor` and waiting for that subscription's first event: events of an earlier
   * subscription of the session (a replaced follow's, or the old log's before starting over) are skipped.
   */
  subscribing: boolean;
}

/** The lookup a `sessionLookup` option means: a `SessionsClient`'s `GET /sessions/{id}`, a 404 as none. */
function lookupOf(option: SessionsClient | SessionLookup | undefined): SessionLookup | null {
  if (!option) return null;
  if (typeof option === 'function') return option;
  return (id) =>
    option.sessions.get(id).catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 404) return null;
      throw error;
    });
}

/** `http(s)://host/base` → `ws(s)://host/base/sessions/ws`. */
export function liveUrl(server: string): string {
  return server.replace(/\/+$/, '').replace(/^http/, 'ws') + SESSIONS_WS_PATH;
}

/** The message of an `error` event, when it has one (`ws` gives the cause: `Unexpected server response: 404`). */
function errorMessage(event: unknown): string {
  const message = (event as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : '';
}
