import helmet from 'helmet';
import { ServerResponse } from 'node:http';
import { HeaderList } from '../common/response-body';

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
 * Helmet's headers as a fixed list, recorded once: they do not depend on the request,
 * and the pipeline writes them with each answer's own headers in one `writeHead`.
 */
export function securityHeaders(): HeaderList {
  const headers: string[] = [];
  const recorder = {
    setHeader: (name: string, value: string) => headers.push(name, value),
    removeHeader: () => undefined,
  } as unknown as ServerResponse;
  helmet(OPTIONS)({} as never, recorder as never, () => undefined);
  return headers;
}
