import WebSocket from 'ws';
import { WebSocketFactory, WebSocketLike } from './websocket';

/** Node 20 has no global WebSocket: `ws`, with the token as a bearer header. */
export const nodeWebSocketFactory: WebSocketFactory = (url, token) =>
  new WebSocket(url, token ? { headers: { authorization: `Bearer ${token}` } } : {}) as unknown as WebSocketLike;
