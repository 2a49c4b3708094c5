import type { ErrorResponse } from '@zen/contract';
import { ApiError, NetworkError, UnexpectedResponseError } from '../errors';
import { timerMs } from '../logger/timers';
import { shownUrl } from '../shown-url';

export interface HttpOptions {
  /** The service, base path included: `https://host/zen`. */
  server: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
  /**
   * Longest wait for an answer (ms; default 30,000; 0: none): for the response's status and
   * headers, and for a JSON response its body too. A request that gets none in time is aborted
   * and fails with a `NetworkError` (retryable), as a refused connection would.
   */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

export type Query = Record<string, string | number | undefined>;

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  query?: Query;
  /** A JSON value, or a string sent as `text/plain`. */
  body?: unknown;
  /** A body already serialised as JSON (as text, or as its UTF-8 bytes). */
  json?: string | Uint8Array<ArrayBuffer>;
  text?: string;
  signal?: AbortSignal;
}

/**
 * The server URL, checked: an http(s) URL (in a browser, one relative to the page too), with no
 * query or fragment, as a path is appended to it. Anything else (`localhost:8558` without its
 * scheme, an unset variable) is a mistake no retry mends: refused at once, not sent for ever as a
 * "network error"; so is white space at either end. Without its trailing slashes.
 */
export function serverUrl(server: string): string {
  let url: URL | null = null;
  try {
    const page = (globalThis as { location?: { href?: string } }).location?.href;
    url = typeof server === 'string' && server.trim() !== '' ? new URL(server, page) : null;
  } catch {
    url = null;
  }
  // White space at either end is dropped by the URL parser but not by the requests' paths appended
  // to the string: `'http://host:8558 /sessions'` is no URL, and would be retried for ever.
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || /[?#]|^\s|\s$/.test(server)) {
    throw new TypeError(
      `the server must be an http:// or https:// URL (base path included) with no query or fragment, not ${JSON.stringify(typeof server === 'string' ? shownUrl(server) : server)}`,
    );
  }
  return server.replace(/\/+$/, '');
}

/**
 * A server URL's user and password (`https://ci:secret@proxy/zen`) as a Basic `authorization`
 * header (decoded, sent as UTF-8, as `node:http` does), and the URL without them. For the
 * WebSocket's URL too (`ws` would send them as typed, percent escapes and all).
 */
export function credentialsOf(server: string): { server: string; basicAuth?: string } {
  // A server relative to the page (a browser's script may give one: see serverUrl) has none.
  const url = URL.canParse(server) ? new URL(server) : null;
  if (!url || (url.username === '' && url.password === '')) return { server };
  const bytes = new TextEncoder().encode(`${decoded(url.username)}:${decoded(url.password)}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  url.username = '';
  url.password = '';
  return { server: url.href.replace(/\/+$/, ''), basicAuth: `Basic ${btoa(binary)}` };
}

function decoded(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part; // a `%` that starts no escape: as typed
  }
}

/** A request as `Http.prepare` makes it, ready for any HTTP client. */
export interface PreparedRequest {
  method: RequestSpec['method'];
  url: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** One request/response exchange with the service: URLs, the token, errors as typed exceptions. */
export class Http {
  readonly server: string;
  private readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;
  readonly timeoutMs: number;

  /** The server without a user and password given in it: what requests go to (see `basicAuth`). */
  private readonly requestServer: string;
  /** A user and password given in the server URL (a proxy's Basic auth), as their header. */
  private readonly basicAuth: string | undefined;

  constructor(options: HttpOptions) {
    this.server = serverUrl(options.server);
    ({ server: this.requestServer, basicAuth: this.basicAuth } = credentialsOf(this.server));
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  /**
   * The URL of `path` on the server as given, a user and password included: errors name it through
   * `shownUrl`, which shows the password as `***`; print it only that way too.
   */
  url(path: string, query: Query = {}): string {
    return this.urlOn(this.server, path, query);
  }

  private urlOn(server: string, path: string, query: Query): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    return `${server}${path}${search ? `?${search}` : ''}`;
  }

  /**
   * Sends the request; resolves with the response when its status is 2xx, else throws `ApiError`.
   * The timeout covers the wait for the status and headers; the body is the caller's to read.
   */
  send(spec: RequestSpec): Promise<Response> {
    return this.exchange(spec, async (response) => response);
  }

  /**
   * Sends the request and parses the JSON answer, both within the timeout. A success whose body is
   * not JSON (an HTML page: the server URL is not the sessions server's) is an `UnexpectedResponseError`.
   */
  json<T>(spec: RequestSpec): Promise<T> {
    return this.exchange(spec, async (response, url) => {
      const text = await response.text();
      try {
        return JSON.parse(text) as T;
      } catch {
        const contentType = response.headers.get('content-type');
        throw new UnexpectedResponseError(spec.method, url, response.status, contentType, this.server);
      }
    });
  }

  /**
   * The request as it goes out: its URL, the token and content type as headers, the body serialised.
   * A user and password in the server URL go as a Basic `authorization` header, as `node:http` sends
   * them (a token takes its place): `fetch`, Node's and a browser's, refuses a URL that holds them.
   */
  prepare(spec: RequestSpec): PreparedRequest {
    const headers: Record<string, string> = {};
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    else if (this.basicAuth) headers['authorization'] = this.basicAuth;
    let body: string | Uint8Array<ArrayBuffer> | undefined;
    if (spec.text !== undefined) {
      headers['content-type'] = 'text/plain; charset=utf-8';
      body = spec.text;
    } else if (spec.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = spec.json;
    } else if (spec.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(spec.body);
    }
    return { method: spec.method, url: this.urlOn(this.requestServer, spec.path, spec.query ?? {}), headers, body };
  }

  /** Sends the request and reads the response with `read` (given the URL asked), both within the timeout. */
  async exchange<T>(spec: RequestSpec, read: (response: Response, url: string) => Promise<T>): Promise<T> {
    const { url: requestUrl, headers, body } = this.prepare(spec);
    const url = this.url(spec.path, spec.query);
    const deadline = new Deadline(this.timeoutMs, spec.signal);
    try {
      let response: Response;
      try {
        response = await this.fetchImpl(requestUrl, { method: spec.method, headers, body, signal: deadline.signal });
      } catch (error) {
        if (spec.signal?.aborted) throw error;
        throw new NetworkError(url, deadline.timedOut ?? error, deadline.timedOut ? undefined : corsHint(requestUrl));
      }
      if (!response.ok) throw await apiError(response);
      try {
        return await read(response, url);
      } catch (error) {
        if (deadline.timedOut && !spec.signal?.aborted) throw new NetworkError(url, deadline.timedOut);
        throw error;
      }
    } finally {
      deadline.clear();
    }
  }
}

/**
 * In a browser page, a request to another origin refused by CORS fails as an unreachable server
 * does (`TypeError: Failed to fetch`: the page's script is told nothing more, only the console is):
 * the error says so, and which origin the server's `CORS_ORIGINS` must allow (a page's or a
 * worker's `location`; none in Node).
 */
function corsHint(requestUrl: string): string | undefined {
  const page = (globalThis as { location?: { origin?: unknown } }).location?.origin;
  if (typeof page !== 'string' || !/^https?:/.test(page)) return undefined;
  let origin: string;
  try {
    origin = new URL(requestUrl, page).origin;
  } catch {
    return undefined;
  }
  if (origin === page) return undefined;
  return `or its CORS does not allow this page: a browser tells a script both alike; is ${page} in the server's CORS_ORIGINS?`;
}

/** No answer within the timeout. */
export class RequestTimeoutError extends Error {
  override readonly name = 'RequestTimeoutError';

  constructor(readonly timeoutMs: number) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** The caller's signal, and a timer that aborts the request when no answer came in time. */
class Deadline {
  readonly signal: AbortSignal | undefined;
  timedOut: RequestTimeoutError | null = null;
  private readonly timer: ReturnType<typeof setTimeout> | null = null;
  private readonly forward: (() => void) | null = null;

  constructor(
    timeoutMs: number,
    private readonly outer: AbortSignal | undefined,
  ) {
    if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      this.signal = outer;
      return;
    }
    const controller = new AbortController();
    this.signal = controller.signal;
    this.timer = setTimeout(() => {
      this.timedOut = new RequestTimeoutError(timeoutMs);
      controller.abort(this.timedOut);
    }, timerMs(timeoutMs));
    if (outer?.aborted) controller.abort(outer.reason);
    else if (outer) {
      this.forward = () => controller.abort(outer.reason);
      outer.addEventListener('abort', this.forward, { once: true });
    }
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.forward) this.outer?.removeEventListener('abort', this.forward);
  }
}

async function apiError(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => '');
  let body: ErrorResponse | null = null;
  try {
    const parsed = JSON.parse(text) as Partial<ErrorResponse>;
    if (parsed && typeof parsed === 'object' && 'message' in parsed) body = parsed as ErrorResponse;
  } catch {
    // not the contract's JSON (a proxy's HTML page, say): keep the text
  }
  const message = body
    ? Array.isArray(body.message)
      ? body.message.join('; ')
      : String(body.message)
    : pageMessage(text, response.headers.get('content-type')) || text.trim().slice(0, 200) || response.statusText;
  return new ApiError(response.status, message, body, retryAfterMs(response.headers.get('retry-after')));
}

/**
 * An error answered with an HTML page (a proxy's `502`, another web server's `404` at a wrong
 * URL) by its title, and said to be a page: its markup told the reader nothing more.
 */
function pageMessage(text: string, contentType: string | null): string | null {
  if (!/html/i.test(contentType ?? '') && !/^\s*<(!doctype|html)/i.test(text)) return null;
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1]?.replace(/\s+/g, ' ').trim();
  return title ? `${title} (an HTML page, not an answer of the sessions server)` : null;
}

/** `Retry-After` as delay-seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
