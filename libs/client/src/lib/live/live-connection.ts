import { ServerMessage, SESSIONS_WS_PATH } from '@zen/contract';
import type { Backoff } from '../backoff';
import { MAX_TIMER_MS } from '../logger/timers';
import { serverUrl } from '../rest/http';
import { LiveClientOptions, reconnectBackoff } from './live-client-options';
import { parseServerMessage } from './server-message';
import { callUser, throwOnItsOwn } from './user-callback';
import { globalWebSocketFactory, WebSocketFactory, WebSocketLike, WS_OPEN } from './websocket';

/** How long a connection stays open before its loss counts as a new outage: the next reconnect waits the least again. */
const STABLE_CONNECTION_MS = 5_000;

/** Sends one event to the server; dropped while the connection is down (a reconnect sends what counts again). */
export type Send = (event: string, data: unknown) => void;

/** What the connection tells the client that holds it. */
export interface ConnectionEvents {
  /** It opened (at first, or again after it was lost): whatever the server should know is sent again. */
  opened: () => void;
  received: (message: ServerMessage) => void;
}

/**
 * The live client's one WebSocket: opened with the token of the moment, and opened again with
 * backoff whenever it is lost, until `close()`.
 */
export class LiveConnection {
  private socket: WebSocketLike | null = null;
  private readonly factory: WebSocketFactory;
  private readonly backoff: Backoff;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = true;

  constructor(
    private readonly options: LiveClientOptions,
    private readonly events: ConnectionEvents,
  ) {
    serverUrl(options.server); // a mistake no reconnect mends: refused at once
    // 0, a negative number or NaN retried a server that is away in a busy loop (hundreds of connects
    // a second, as many lookups and subscriptions); a wait past 2^31-1 ms fires at once.
    for (const option of ['reconnectInitialMs', 'reconnectMaxMs'] as const) {
      const value = options[option];
      if (value !== undefined && !(value >= 1 && value <= MAX_TIMER_MS)) {
        throw new RangeError(`LiveClient: ${option} must be a number of ms from 1 to ${MAX_TIMER_MS}, not ${value}`);
      }
    }
    const factory = options.webSocket ?? globalWebSocketFactory();
    if (!factory) throw new Error('no WebSocket here: pass `webSocket` (in Node 20, use @zen/client/node)');
    this.factory = factory;
    this.backoff = reconnectBackoff(options);
  }

  get url(): string {
    return liveUrl(this.options.server);
  }

  get connected(): boolean {
    return this.socket?.readyState === WS_OPEN;
  }

  /** Connects now (again, after `close()`), unless it is connected or connecting. */
  open(): void {
    this.closed = false;
    if (this.socket) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.backoff.reset();
    this.connect();
  }

  /** Disconnects and stays down until `open()`. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.socket?.close(1000);
    this.socket = null;
  }

  readonly send: Send = (event, data) => {
    if (this.socket?.readyState === WS_OPEN) this.socket.send(JSON.stringify({ event, data }));
  };

  private connect(): void {
    let socket: WebSocketLike;
    try {
      const token = typeof this.options.token === 'function' ? this.options.token() : this.options.token;
      socket = this.factory(this.url, token ?? undefined);
    } catch (error) {
      // A token function that throws (a file not there yet) is a connect that failed: tried again
      // later, as a refused one is. Thrown from a retry's timer, it stopped the reconnects for good.
      // Told after this turn, as a socket's failure is: open() may be the constructor's, whose
      // caller does not have the client yet.
      const why = error instanceof Error ? error.message : String(error);
      this.reconnectLater();
      queueMicrotask(() => {
        if (!this.closed) callUser(this.options.onConnection, 'lost', `could not connect: ${why}`);
      });
      return;
    }
    this.socket = socket;
    this.watch(socket);
  }

  /** Wires the socket's events: its opening, its frames, and its close (then a reconnect). */
  private watch(socket: WebSocketLike): void {
    let openedAt: number | null = null;
    socket.onopen = () => {
      openedAt = Date.now();
      callUser(this.options.onConnection, 'open');
      // Unless onConnection closed the client meanwhile.
      if (this.socket === socket) this.events.opened();
    };
    // A closed socket may still deliver frames while it closes: they belong to no one now.
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      const message = parseServerMessage(event.data);
      if (message === undefined) return;
      try {
        this.events.received(message);
      } catch (error) {
        // Thrown on, it would stop `ws` reading this socket (see parseServerMessage): on its own.
        throwOnItsOwn(error);
      }
    };
    // 'close' follows and reconnects; the error (ws's, not a browser's) says why, which the close may not.
    let error = '';
    socket.onerror = (event) => (error = errorMessage(event));
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      // Only a connection that held counts as a success: one closed as soon as it opened (a proxy or
      // server that takes the upgrade and drops it) is tried again later and later, not every 250 ms.
      if (openedAt !== null && Date.now() - openedAt >= STABLE_CONNECTION_MS) this.backoff.reset();
      if (this.closed) return;
      const why = event.reason || error;
      callUser(this.options.onConnection, 'lost', `closed with ${event.code}${why ? `: ${why}` : ''}`);
      this.reconnectLater();
    };
  }

  /** Connects again after a backoff, unless `onConnection` closed the client, or opened it again, meanwhile. */
  private reconnectLater(): void {
    if (this.closed || this.socket || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.closed && !this.socket) this.connect();
    }, this.backoff.next());
  }
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
