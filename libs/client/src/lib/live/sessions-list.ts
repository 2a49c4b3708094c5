import { Session, SessionList, SessionsDeltaData, SessionsFeedMode, WS_EVENTS } from '@zen/contract';
import type { Send } from './live-connection';
import { callUser } from './user-callback';

export type SessionsListener = (list: SessionList) => void;

/**
 * The sessions list as the server sends it: whole lists (`full` mode), or one baseline and then
 * only changes (`delta` mode), applied here so that listeners always get the whole list.
 */
export class SessionsList {
  private readonly listeners = new Set<SessionsListener>();
  private mode: SessionsFeedMode = 'full';
  /**
   * The list in the server's order reversed (oldest first): a Map keeps it, and a delta's new
   * sessions, the newest, are added at its end instead of the whole Map being built again.
   */
  private readonly sessions = new Map<string, Session>();
  /** Null until the first full list: a delta has nothing to apply to before it. */
  private serverSessionId: string | null = null;

  /**
   * @param seen Told of the sessions each list or delta brings, before listeners hear of it
   *   (a followed session's `created` shows whether it is still the one followed).
   * @param forgotten Told of the ids a delta names `removed` (the server forgot them: retention,
   *   which forgets ended sessions only), but not those it also brings back (created again).
   */
  constructor(
    private readonly send: Send,
    private readonly seen: (sessions: readonly Session[]) => void,
    private readonly forgotten: (ids: readonly string[]) => void = () => undefined,
  ) {}

  /**
   * Adds a listener, given the list already received at once; asks the server for `mode` when
   * another was asked before. Returns how to remove the listener.
   */
  follow(listener: SessionsListener, mode: SessionsFeedMode): () => void {
    this.listeners.add(listener);
    if (this.serverSessionId !== null) callUser(listener, this.currentList());
    if (mode !== this.mode) {
      this.mode = mode;
      this.send(WS_EVENTS.subscribeSessions, { mode });
    }
    return () => this.listeners.delete(listener);
  }

  /** On every connect: the server sends full lists to a new connection unless asked for deltas. */
  resubscribe(): void {
    if (this.mode === 'delta') this.send(WS_EVENTS.subscribeSessions, { mode: 'delta' });
  }

  receiveList(list: SessionList): void {
    this.sessions.clear();
    for (let i = list.sessions.length - 1; i >= 0; i--) this.sessions.set(list.sessions[i].id, list.sessions[i]);
    this.serverSessionId = list.serverSessionId;
    this.seen(list.sessions);
    this.emitList();
  }

  receiveDelta(delta: SessionsDeltaData): void {
    if (this.serverSessionId === null) return; // the baseline follows
    for (const id of delta.removed) this.sessions.delete(id);
    this.seen(delta.upserted);
    // Changed sessions keep their place; new ones are the newest, so they go first (the Map's end),
    // in the delta's order.
    const added = delta.upserted.filter((session) => !this.sessions.has(session.id));
    for (const session of delta.upserted) if (this.sessions.has(session.id)) this.sessions.set(session.id, session);
    for (let i = added.length - 1; i >= 0; i--) this.sessions.set(added[i].id, added[i]);
    this.emitList();
    const back = new Set(delta.upserted.map((session) => session.id));
    const gone = delta.removed.filter((id) => !back.has(id));
    if (gone.length > 0) this.forgotten(gone);
  }

  private emitList(): void {
    if (this.listeners.size === 0) return;
    const list = this.currentList();
    for (const listener of this.listeners) callUser(listener, list);
  }

  private currentList(): SessionList {
    const sessions = new Array<Session>(this.sessions.size);
    let at = sessions.length;
    for (const session of this.sessions.values()) sessions[--at] = session;
    return { sessions, serverSessionId: this.serverSessionId ?? '' };
  }
}
