import type { ErrorResponse } from '@zen/contract';
import { shownUrl } from './shown-url';

/**
 * The server answered with an error status; `message` is the server's own (joined when it sent
 * several). Or, as `UnexpectedResponseError`, with a success status but not with JSON.
 */
export class ApiError extends Error {
  override readonly name: string = 'ApiError';

  constructor(
    readonly status: number,
    message: string,
    /** The error body as the server sent it, when it was the contract's JSON shape. */
    readonly body: ErrorResponse | null = null,
    /** How long the server asked to wait (`Retry-After`, in seconds or as an HTTP date), in ms, when it said so. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }

  /** Worth trying again later: the server is overloaded or failing, not refusing the request. */
  get retryable(): boolean {
    return this.status === 429 || this.status >= 500;
  }
}

/**
 * Something answered with a success status, but not with the JSON the contract promises: an HTML
 * page (the dashboard, a proxy's login page) or other text. The server URL is then most likely not
 * the sessions server, or lacks its base path (`BASE_PATH`); asking again gets the same answer.
 */
export class UnexpectedResponseError extends ApiError {
  override readonly name: string = 'UnexpectedResponseError';

  constructor(
    readonly method: string,
    readonly url: string,
    status: number,
    /** The answer's `Content-Type`, or null when it had none. */
    readonly contentType: string | null,
    /** The server URL the client was given. */
    server: string,
    /** What the answer should have been. */
    expected = 'JSON',
  ) {
    super(
      status,
      `${method} ${shownUrl(url)} answered ${status} with ${contentType || 'no content type'}, not ${expected}: ${shownUrl(server)} may not be the sessions server, or not with its BASE_PATH`,
    );
  }
}

/** The server could not be reached (refused, reset, DNS, timeout): no answer at all. */
export class NetworkError extends Error {
  override readonly name = 'NetworkError';

  constructor(
    readonly url: string,
    override readonly cause: unknown,
    /** What else it may be, said after the cause (a browser's CORS refusal: see `Http`). */
    hint?: string,
  ) {
    super(`cannot reach ${shownUrl(url)}: ${describeCause(cause)}${hint ? ` (${hint})` : ''}`);
  }

  get retryable(): boolean {
    return true;
  }
}

/** Whether sending again later may succeed. */
export function isRetryable(error: unknown): boolean {
  return (error instanceof ApiError || error instanceof NetworkError) && error.retryable;
}

function describeCause(cause: unknown): string {
  // fetch wraps the socket error: `TypeError: fetch failed` with `cause: Error: connect ECONNREFUSED ...`.
  // Duck-typed: errors from another realm (a test sandbox) fail `instanceof Error`.
  const outer = cause as { message?: string; cause?: { message?: string; code?: string } } | null;
  const inner = outer?.cause;
  if (inner?.message)
    return inner.code && !inner.message.includes(inner.code) ? `${inner.code}: ${inner.message}` : inner.message;
  return outer?.message ?? String(cause);
}
