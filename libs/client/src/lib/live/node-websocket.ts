import WebSocket from 'ws';
import { WebSocketFactory, WebSocketLike } from './websocket';

/**
 * Longest wait for the answer to the opening handshake. `ws` waits forever by default: behind a
 * proxy that takes the upgrade request but never answers it, the socket would stay connecting,
 * with no error, no close and so no retry.
 */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** Node 20 has no global WebSocket: `ws`, with the token as a bearer header. */
export const nodeWebSocketFactory: WebSocketFactory = (url, token) =>
  new WebSocket(url, {
    handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
    ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
  }) as unknown as WebSocketLike;
