import WebSocket from 'ws';
import { credentialsOf } from '../rest/http';
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
 * How often an open connection is checked: after this long with nothing heard it is pinged, and a
 * ping unanswered half this long later drops it as lost (the live client then opens another).
 */
export const KEEPALIVE_MS = 10_000;

/**
 * `ws`, whose `close()` gives a quiet server CLOSE_GRACE_MS to answer, not 30 s, and which finds out
 * when its connection went dark: a server gone without closing it (powered off, a network cut, a
 * proxy that drops it silently) sends no close, and the socket would stay open for good, with no
 * reconnect. Checked every KEEPALIVE_MS (see there); a drop's 'close' says 1006.
 *
 * Times, not a flag per period: after this process's event loop was held up (a stdout pipe that
 * blocks), an overdue check must neither find the pong that came meanwhile still unread (the
 * check runs after this turn's I/O: setImmediate comes after the poll phase) nor take a ping sent
 * just before it for one long unanswered.
 */
class LiveWebSocket extends WebSocket {
  constructor(url: string, options: WebSocket.ClientOptions, keepaliveMs: number) {
    super(url, options);
    let heardAt = 0;
    let pingedAt = 0;
    let awaitingPong = false;
    let keepalive: ReturnType<typeof setInterval> | undefined;
    const alive = () => {
      heardAt = Date.now();
      awaitingPong = false;
    };
    const check = () => {
      if (this.readyState !== WebSocket.OPEN) return;
      const now = Date.now();
      if (awaitingPong) {
        if (now - pingedAt >= keepaliveMs / 2) this.terminate();
        return;
      }
      if (now - heardAt < keepaliveMs) return;
      awaitingPong = true;
      pingedAt = now;
      this.ping();
    };
    this.on('open', () => {
      alive();
      keepalive = setInterval(() => setImmediate(check), keepaliveMs / 2);
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

/**
 * A factory of `ws` sockets checked every `keepaliveMs` (see LiveWebSocket), the token as a bearer
 * header, else a user and password given in the URL as Basic auth, decoded as the HTTP requests
 * send them (`ws` would send their percent escapes as they are).
 */
export function nodeWebSocketFactoryWith(keepaliveMs: number): WebSocketFactory {
  return (given, token) => {
    const { server: url, basicAuth } = credentialsOf(given);
    const authorization = token ? `Bearer ${token}` : basicAuth;
    return new LiveWebSocket(
      url,
      { handshakeTimeout: HANDSHAKE_TIMEOUT_MS, ...(authorization ? { headers: { authorization } } : {}) },
      keepaliveMs,
    ) as unknown as WebSocketLike;
  };
}

/** Node 20 has no global WebSocket: `ws`, checked every KEEPALIVE_MS. */
export const nodeWebSocketFactory: WebSocketFactory = nodeWebSocketFactoryWith(KEEPALIVE_MS);
