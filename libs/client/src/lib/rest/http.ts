import type { ErrorResponse } from '@zen/contract';
import { ApiError, NetworkError } from '../errors';

export interface HttpOptions {
  /** The service, base path included: `https://host/zen`. */
  server: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Defaults to the global `fetch`. */
  fetch?: typeof fetch;
}

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

/** One request/response exchange with the service: URLs, the token, errors as typed exceptions. */
export class Http {
  readonly server: string;
  private readonly token: string | undefined;
  private readonly fetchImpl: typeof fetch;

  constructor(options: HttpOptions) {
    this.server = options.server.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  url(path: string, query: Query = {}): string {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined) params.set(key, String(value));
    const search = params.toString();
    return `${this.server}${path}${search ? `?${search}` : ''}`;
  }

  /** Sends the request; resolves with the response when its status is 2xx, else throws `ApiError`. */
  async send(spec: RequestSpec): Promise<Response> {
    const url = this.url(spec.path, spec.query);
    const headers: Record<string, string> = {};
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
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
    let response: Response;
    try {
      response = await this.fetchImpl(url, { method: spec.method, headers, body, signal: spec.signal });
    } catch (error) {
      if (spec.signal?.aborted) throw error;
      throw new NetworkError(url, error);
    }
    if (!response.ok) throw await apiError(response);
    return response;
  }

  async json<T>(spec: RequestSpec): Promise<T> {
    return (await (await this.send(spec)).json()) as T;
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
    : text.trim().slice(0, 200) || response.statusText;
  return new ApiError(response.status, message, body, retryAfterMs(response.headers.get('retry-after')));
}

/** `Retry-After` as delay-seconds or an HTTP date, in milliseconds. */
export function retryAfterMs(header: string | null, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
