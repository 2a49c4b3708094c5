import helmet from 'helmet';
import { ServerResponse } from 'node:http';
import type { HeaderList } from '@zen/log-store';

/** Helmet's defaults, with a CSP the built dashboard (and the API docs) satisfy over plain HTTP too. */
const OPTIONS: Parameters<typeof helmet>[0] = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      // Angular Material and the docs UI set inline styles.
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  // TLS is the reverse proxy's business; HSTS from a plain-HTTP LAN server would be wrong.
  strictTransportSecurity: false,
};

/**
 * The headers of pages a browser renders (the dashboard's files, the API docs): Helmet's,
 * recorded once as a fixed list, since they do not depend on the request.
 */
export function pageHeaders(): HeaderList {
  const headers: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push(name, value),
    removeHeader: () => undefined,
  } as unknown as ServerResponse;
  helmet(OPTIONS)({} as never, recorder as never, () => undefined);
  return headers;
}

/**
 * The headers of every other answer — JSON, NDJSON, text, metrics, errors: data, never a
 * page. The set OWASP's REST Security Cheat Sheet gives API answers: nothing in them may run
 * or be framed if a browser opens one, nothing is sniffed into another type, and no other
 * site may embed them. Helmet's other headers (COOP, Referrer-Policy, Origin-Agent-Cluster,
 * X-XSS-Protection, …) govern documents; leaving them off a hot route's answer saves ~400
 * bytes and Node's checks of seven headers per request (docs/performance.md, stop 30).
 */
export const API_HEADERS: HeaderList = [
  'Content-Security-Policy',
  "default-src 'none'; frame-ancestors 'none'",
  'Cross-Origin-Resource-Policy',
  'same-origin',
  'X-Content-Type-Options',
  'nosniff',
  'X-Frame-Options',
  'DENY',
];
