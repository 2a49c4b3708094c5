import { serverUrl as checkedServerUrl, SessionsClient, shownUrl } from '@zen/client';
import { nodeFetch } from '@zen/client/node';
import { UsageError } from './reporting';

const DEFAULT_SERVER = 'http://127.0.0.1:8558';
/**
 * Longest wait for the server's answer to one request: a server that accepts connections but
 * never answers (stopped, wedged, a black-holing proxy) fails the request as unreachable.
 */
const REQUEST_TIMEOUT_MS = 10_000;
/**
 * How often `run` and `log` keep their session alive while the command or the pipe is quiet:
 * often, so that a short SESSIONS_TIMEOUT_S never ends it; one tiny request a second.
 */
export const HEARTBEAT_MS = 1_000;

/** The global options, as commander hands them over (before or after the command's name). */
export interface GlobalOptions {
  server?: string;
  token?: string;
}

export interface Connection {
  server: string;
  token: string | undefined;
  fetch: typeof fetch;
  timeoutMs: number;
}

/**
 * Option, then environment, then default. An empty ZEN_SESSIONS_URL counts as unset, as an empty
 * ZEN_SESSIONS_TOKEN does. A server that is not an http(s) URL, or a token a header cannot carry,
 * is a usage error (exit 2), found before any request (and before `run` starts its command), not a
 * server that "cannot be reached".
 */
export function connection(options: GlobalOptions): Connection {
  return {
    server: serverUrl(options.server ?? (process.env['ZEN_SESSIONS_URL'] || DEFAULT_SERVER)),
    token:
      options.token !== undefined
        ? bearerToken(options.token, '--token')
        : bearerToken(process.env['ZEN_SESSIONS_TOKEN'] || undefined, 'ZEN_SESSIONS_TOKEN'),
    fetch: nodeFetch,
    timeoutMs: REQUEST_TIMEOUT_MS,
  };
}

/**
 * The library refuses what is not an http(s) URL, and a query or fragment, even an empty one
 * (`http://host?`) `URL` overlooks. Typed on a command line, whitespace or a control character
 * anywhere in it is a mistake too (the library takes one inside: `/a b` goes to `/a%20b`).
 */
const NOT_TYPED_IN_A_SERVER = /[\s\p{Cc}]/u;

function serverUrl(server: string): string {
  try {
    if (!NOT_TYPED_IN_A_SERVER.test(server)) return checkedServerUrl(server);
  } catch {
    // Said below, in the CLI's own words.
  }
  throw new UsageError(
    `the server must be an http:// or https:// URL (base path included) with no query, fragment or whitespace, not ${JSON.stringify(shownUrl(server))}`,
  );
}

/**
 * The token, if `Authorization: Bearer <token>` can carry it: a control character (a line break,
 * the `\r` of a token file with Windows line endings; a tab too, which a header trims at its ends
 * and which inside splits the credential) or a character beyond U+00FF cannot be sent. The error names where the token came
 * from and the character, never the token (a secret).
 */
function bearerToken(token: string | undefined, source: '--token' | 'ZEN_SESSIONS_TOKEN'): string | undefined {
  if (token === undefined) return undefined;
  // Not printable ASCII and not U+0080–U+00FF: the C0 controls, DEL and all beyond U+00FF.
  const bad = /[^\x20-\x7e\x80-\xff]/u.exec(token);
  if (bad) {
    const codePoint = `U+${(bad[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
    throw new UsageError(
      `${source} holds ${codePoint} (character ${[...token.slice(0, bad.index)].length + 1}), which an HTTP header cannot carry: a token has no control characters and none beyond U+00FF`,
    );
  }
  return token;
}

/** A REST client; `timeoutMs` overrides the wait for each answer. */
export function restClient(options: GlobalOptions, timeoutMs = REQUEST_TIMEOUT_MS): SessionsClient {
  return new SessionsClient({ ...connection(options), timeoutMs });
}
