import { DestroyRef, inject, Injectable, InjectionToken, signal } from '@angular/core';
import { ClientMessage, LogEventData, ServerMessage, SessionList, WS_EVENTS } from '@zen/contract';
import { Observable, Subject } from 'rxjs';
import { ServerUrls } from './server-urls';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

/** The parts of the browser's WebSocket the service uses; tests substitute a fake. */
export interface SocketLike {
  readyState: number;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: never) => void) | null;
  send(data: string): void;
  close(): void;
}

export const SOCKET_FACTORY = new InjectionToken<(url: string) => SocketLike>('SOCKET_FACTORY', {
  providedIn: 'root',
  factory: () => (url: string) => new WebSocket(url),
});

const OPEN = 1;
const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 10_000;

/**
 * The one WebSocket to `/sessions/ws`: the live session listing, the log events of
 * followed sessions, and reconnection with backoff. After a reconnect every followed
 * log is subscribed again from the cursor its reader reached, so nothing is missed
 * or repeated.
 */
@Injectable({ providedIn: 'root' })
export class LiveSocket {
  private readonly urls = inject(ServerUrls);
  private readonly createSocket = inject(SOCKET_FACTORY);
  private readonly stateSignal = signal<ConnectionState>('connecting');
  private readonly sessionsSignal = signal<SessionList | null>(null);
  private readonly logSubject = new Subject<LogEventData>();
  private readonly errorSubject = new Subject<string>();
  /** Followed session → the cursor to resume from. */
  private readonly follows = new Map<string, () => number>();
  private socket: SocketLike | null = null;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  readonly state = this.stateSignal.asReadonly();
  /** The latest `sessions` push. */
  readonly sessions = this.sessionsSignal.asReadonly();
  readonly logEvents: Observable<LogEventData> = this.logSubject.asObservable();
  readonly serverErrors: Observable<string> = this.errorSubject.asObservable();

  constructor() {
    inject(DestroyRef).onDestroy(() => this.stop());
  }

  connect(): void {
    this.stopped = false;
    if (this.socket) return;
    const socket = this.createSocket(this.urls.webSocket());
    this.socket = socket;
    socket.onopen = () => {
      this.retries = 0;
      this.stateSignal.set('live');
      for (const [id, cursor] of this.follows)
        this.send({ event: WS_EVENTS.subscribeLog, data: { id, cursor: cursor() } });
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      this.socket = null;
      if (!this.stopped) this.scheduleReconnect();
    };
  }

  /** Follows a session's log from the cursor `resumeAt()` gives, now and after every reconnect. */
  follow(id: string, resumeAt: () => number): void {
    this.follows.set(id, resumeAt);
    this.send({ event: WS_EVENTS.subscribeLog, data: { id, cursor: resumeAt() } });
  }

  unfollow(id: string): void {
    if (!this.follows.delete(id)) return;
    this.send({ event: WS_EVENTS.unsubscribeLog, data: { id } });
  }

  /** Drops the connection and connects again at once (e.g. with a new token). */
  reconnect(): void {
    this.socket?.close();
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.close();
    this.socket = null;
  }

  private send(message: ClientMessage): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private receive(data: unknown): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(data)) as ServerMessage;
    } catch {
      return;
    }
    switch (message.event) {
      case WS_EVENTS.sessions:
        this.sessionsSignal.set(message.data);
        break;
      case WS_EVENTS.log:
        this.logSubject.next(message.data);
        break;
      case WS_EVENTS.error:
        this.errorSubject.next(message.data.message);
        break;
    }
  }

  private scheduleReconnect(): void {
    this.stateSignal.set('reconnecting');
    const delay = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.retries);
    this.retries++;
    // Jitter spreads the reconnects of many dashboards after a server restart.
    this.retryTimer = setTimeout(() => this.connect(), delay * (0.75 + Math.random() * 0.5));
  }
}
