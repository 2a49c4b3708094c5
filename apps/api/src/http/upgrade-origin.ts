import type { IncomingMessage } from 'node:http';
import { quoted } from '../common/quoted';
import type { RawError } from './raw-error';

/**
 * A WebSocket opened by a browser page (browsers send `Origin`; other clients need not): allowed
 * from a page of the server's own host, or of an origin `CORS_ORIGINS` names (or any, with `*`).
 * Browsers apply no CORS to WebSockets, so without this check any site a user visits could
 * follow, over `/sessions/ws`, the sessions and logs of a server their browser can reach (a
 * workstation's, at 127.0.0.1), which CORS keeps it from reading over HTTP.
 */
export function upgradeOriginProblem(req: IncomingMessage, corsOrigins: readonly string[]): RawError | undefined {
  const origin = req.headers.origin;
  if (origin === undefined || corsOrigins.includes('*') || corsOrigins.includes(origin)) return undefined;
  if (sameHost(origin, req.headers.host ?? '')) return undefined;
  return {
    status: 403,
    message:
      `a page of ${quoted(origin)} may not open this WebSocket: only pages of this server's host ` +
      `(${quoted(req.headers.host ?? '')}) may, and of the origins CORS_ORIGINS names`,
  };
}

/**
 * Whether the page's origin is the server's host as the request's Host names it: host and port,
 * or the name alone when Host has no port (a proxy's `Host $host` drops it).
 */
function sameHost(origin: string, host: string): boolean {
  if (!URL.canParse(origin)) return false;
  const page = new URL(origin);
  // Read with the page's scheme, so that a default port written out (`:443`) is the same host.
  const asUrl = `${page.protocol}//${host}`;
  if (!host || !URL.canParse(asUrl)) return false;
  const server = new URL(asUrl);
  return /:\d+$/.test(host) ? server.host === page.host : server.hostname === page.hostname;
}
