import { DestroyRef, inject, Injectable, InjectionToken, signal } from '@angular/core';
import { ClientMessage, ServerMessage } from '@zen/contract';
import { Observable, Subject } from 'rxjs';
import { ServerUrls } from './server-urls';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

/** The parts of the browser's WebSocket the transport uses; tests substitute a fake. */
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
 * The one WebSocket to `/sessions/ws`: connects, reconnects with backoff, parses
 * frames and sends messages. It knows nothing of what the frames mean; the feeds
 * (sessions, logs) and the error notices listen to `messages` and to `opened`,
 * where they (re)subscribe after every connect.
 */
@Injectable({ providedIn: 'root' })
export class LiveTransport {
  private readonly urls = inject(ServerUrls);
  private readonly createSocket = inject(SOCKET_FACTORY);
  private readonly stateSignal = signal<ConnectionState>('connecting');
  private readonly messageSubject = new Subject<ServerMessage>();
  private readonly openedSubject = new Subject<void>();
  private socket: SocketLike | null = null;
  private retries = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  readonly state = this.stateSignal.asReadonly();
  /** Every frame the server sends, parsed. */
  readonly messages: Observable<ServerMessage> = this.messageSubject.asObservable();
  /** Fires on every (re)connect, before any frame of the new connection is delivered. */
  readonly opened: Observable<void> = this.openedSubject.asObservable();

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
      this.openedSubject.next();
    };
    socket.onmessage = (event) => this.receive(event.data);
    socket.onclose = () => {
      this.socket = null;
      if (!this.stopped) this.scheduleReconnect();
    };
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket?.close();
    this.socket = null;
  }

  /** Sends when connected; otherwise the feeds send again on the next `opened`. */
  send(message: ClientMessage): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
  }

  private receive(data: unknown): void {
    let message: ServerMessage;
    try {
      message = JSON.parse(String(data)) as ServerMessage;
    } catch {
      return;
    }
    if (message && typeof message.event === 'string') this.messageSubject.next(message);
  }

  private scheduleReconnect(): void {
    this.stateSignal.set('reconnecting');
    const delay = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.retries);
    this.retries++;
    // Jitter spreads the reconnects of many dashboards after a server restart.
    this.retryTimer = setTimeout(() => this.connect(), delay * (0.75 + Math.random() * 0.5));
  }
}
