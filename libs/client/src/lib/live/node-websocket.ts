import WebSocket from 'ws';
import { WebSocketFactory, WebSocketLike } from './websocket';

/**
 * Longest wait for the answer to the opening handshake. `ws` waits forever by default: behind a
 * proxy that takes the upgrade request but never answers it, the socket would stay connecting,
 * with no error, no close and so no retry.
 */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * Longest a `close()` waits for the server's closing frame before the socket is dropped. `ws`
 * waits 30 s, on a timer that keeps the process alive: a tool that closes its live client
 * against a server gone quiet could not exit for half a minute.
 */
export const CLOSE_GRACE_MS = 1_000;

/**
 * How often an open connection is checked: a ping, whose pong (or any frame) must come before the
 * next check, else the connection is dropped as lost and the live client opens another.
 */
export const KEEPALIVE_MS = 10_000;

/**
 * `ws`, whose `close()` gives a quiet server CLOSE_GRACE_MS to answer, not 30 s, and which finds out
 * when its connection went dark: a server gone without closing it (powered off, a network cut, a
 * proxy that drops it silently) sends no close, and the socket would stay open for good, with no
 * reconnect. Every KEEPALIVE_MS it pings; nothing heard since the last ping drops the socket (its
 * 'close' then says 1006, and the live client reconnects).
 */
class LiveWebSocket extends WebSocket {
  constructor(url: string, options: WebSocket.ClientOptions, keepaliveMs: number) {
    super(url, options);
    let heard = true;
    let keepalive: ReturnType<typeof setInterval> | undefined;
    const alive = () => (heard = true);
    this.on('open', () => {
      keepalive = setInterval(() => {
        if (this.readyState !== WebSocket.OPEN) return;
        if (!heard) return this.terminate();
        heard = false;
        this.ping();
      }, keepaliveMs);
      keepalive.unref();
    });
    this.on('pong', alive);
    this.on('ping', alive);
    this.on('message', alive);
    this.on('close', () => clearInterval(keepalive));
  }

  override close(code?: number, reason?: string | Buffer): void {
    super.close(code, reason);
    setTimeout(() => this.terminate(), CLOSE_GRACE_MS).unref();
  }
}

/** A factory of `ws` sockets checked every `keepaliveMs` (see LiveWebSocket), the token as a bearer header. */
export function nodeWebSocketFactoryWith(keepaliveMs: number): WebSocketFactory {
  return (url, token) =>
    new LiveWebSocket(
      url,
      {
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
        ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
      },
      keepaliveMs,
    ) as unknown as WebSocketLike;
}

/** Node 20 has no global WebSocket: `ws`, checked every KEEPALIVE_MS. */
export const nodeWebSocketFactory: WebSocketFactory = nodeWebSocketFactoryWith(KEEPALIVE_MS);
