import { IncomingMessage } from 'node:http';

/**
 * Whether an upgrade request asks for a WebSocket: its `Upgrade` header is `websocket` alone,
 * in any case. The one reading of the header, for the pipeline (which refusal a path without
 * a WebSocket gives) and for the handshake check (upgrade-refusal.ts): `ws` accepts nothing
 * else, so a list naming websocket among other protocols (`h2c, websocket`) is refused as any
 * other upgrade is, at every path.
 */
export function asksForWebSocket(req: IncomingMessage): boolean {
  return req.headers.upgrade?.toLowerCase() === 'websocket';
}
