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

/** `ws`, whose `close()` gives a quiet server CLOSE_GRACE_MS to answer, not 30 s. */
class PromptlyClosingWebSocket extends WebSocket {
  override close(code?: number, reason?: string | Buffer): void {
    super.close(code, reason);
    setTimeout(() => this.terminate(), CLOSE_GRACE_MS).unref();
  }
}

/** Node 20 has no global WebSocket: `ws`, with the token as a bearer header. */
export const nodeWebSocketFactory: WebSocketFactory = (url, token) =>
  new PromptlyClosingWebSocket(url, {
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  }) as unknown as WebSocketLike;
