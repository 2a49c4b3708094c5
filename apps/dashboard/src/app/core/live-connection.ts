import { computed, DestroyRef, inject, Injectable, InjectionToken, signal } from '@angular/core';
import { globalWebSocketFactory, LiveClient, lookUpSession, SessionLookup, WebSocketFactory } from '@zen/client';
import { isStoreOutage } from '@zen/contract';
import { Observable, Subject } from 'rxjs';
import { AuthToken } from './auth-token';
import { ServerApi } from './server-api';
import { ServerUrls } from './server-urls';

/** `store-down`: connected, but the server cannot use its session store (Redis), so nothing moves. */
export type ConnectionState = 'connecting' | 'live' | 'store-down' | 'reconnecting';

const CONNECTION_LABELS: Readonly<Record<ConnectionState, string>> = {
  connecting: 'Connecting…',
  live: 'Live',
  'store-down': 'Store unavailable',
  reconnecting: 'Reconnecting…',
};

/** How a socket is opened: the browser's WebSocket (the token in the query); tests substitute a fake. */
export const SOCKET_FACTORY = new InjectionToken<WebSocketFactory>('SOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => {
    const factory = globalWebSocketFactory();
    if (!factory) throw new Error('this browser has no WebSocket');
    return factory;
  },
});

/**
 * How each follow makes sure of its session when it starts and after every reconnect (the live
 * client's `sessionLookup`, through the page's API client): `GET /sessions/{id}`, then an offset
 * read of no entry for the log's own cursor (`lookUpSession`). A log whose cursor is below what
 * the view saw of it went back (the server came back on a store in an older state): the view
 * drops what the store lost and goes on from there, instead of waiting in silence past the seqs
 * its next entries take again. Unit tests of the views (fake sockets, no server) provide null.
 */
export const SESSION_LOOKUP = new InjectionToken<SessionLookup | null>('SESSION_LOOKUP', {
  providedIn: 'root',
  factory: () => {
    const api = inject(ServerApi);
    return (id, signal) => api.call((client) => lookUpSession(client, id, signal));
  },
});

/**
 * The dashboard's one `@zen/client` live client, adapted to Angular: its connection as a
 * signal ("Live" / "Store unavailable" / "Reconnecting…"), the server's `error` events as an observable, the
 * tab's token read at every connect. The protocol (subscriptions, resume from cursors,
 * backoff with jitter, the sessions delta mode) is the library's.
 */
@Injectable({ providedIn: 'root' })
export class LiveConnection {
  private readonly socketState = signal<Exclude<ConnectionState, 'store-down'>>('connecting');
  private readonly storeOutageSignal = signal<string | null>(null);
  private readonly serverErrorSubject = new Subject<string>();
  /**
   * The server's word of a store outage, from its `error` event until the sessions listing
   * comes again (storeAnswered): the snack bar telling it goes after a few seconds, the outage
   * may last.
   */
  readonly storeOutage = this.storeOutageSignal.asReadonly();
  readonly state = computed<ConnectionState>(() =>
    this.socketState() === 'live' && this.storeOutageSignal() !== null ? 'store-down' : this.socketState(),
  );
  /** What the toolbar says of the connection. */
  readonly label = computed(() => CONNECTION_LABELS[this.state()]);
  /** The messages of the server's `error` events. */
  readonly serverErrors: Observable<string> = this.serverErrorSubject.asObservable();
  readonly client: LiveClient;

  constructor() {
    const auth = inject(AuthToken);
    const sessionLookup = inject(SESSION_LOOKUP) ?? undefined;
    this.client = new LiveClient({
      sessionLookup,
      server: inject(ServerUrls).root().toString(),
      token: () => auth.value(),
      webSocket: inject(SOCKET_FACTORY),
      // Connects once the first REST call has told whether a token is needed.
      lazy: true,
      reconnectInitialMs: 500,
      reconnectMaxMs: 10_000,
      onConnection: (state) => this.socketState.set(state === 'open' ? 'live' : 'reconnecting'),
      onServerError: (message) => {
        if (isStoreOutage(message)) this.storeOutageSignal.set(message);
        this.serverErrorSubject.next(message);
      },
    });
    inject(DestroyRef).onDestroy(() => this.client.close());
  }

  /** The sessions listing came: the store answers (again). */
  storeAnswered(): void {
    this.storeOutageSignal.set(null);
  }

  connect(): void {
    this.client.open();
  }

  stop(): void {
    this.client.close();
  }
}
