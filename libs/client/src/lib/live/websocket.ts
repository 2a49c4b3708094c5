/** The part of the WebSocket API the live client uses: the browser's and `ws`'s both have it. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

/** Opens a socket to `url`, presenting `token` when given. */
export type WebSocketFactory = (url: string, token?: string) => WebSocketLike;

export const WS_OPEN = 1;

/**
 * The platform's own WebSocket (browsers, Node 22+). A browser cannot set headers on a
 * WebSocket, so the token travels as `access_token` in the query, which the server accepts.
 */
export function globalWebSocketFactory(): WebSocketFactory | null {
  const Native = (globalThis as { WebSocket?: new (url: string) => WebSocketLike }).WebSocket;
  if (!Native) return null;
  return (url, token) => new Native(token ? withQuery(url, 'access_token', token) : url);
}

function withQuery(url: string, key: string, value: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${key}=${encodeURIComponent(value)}`;
}
