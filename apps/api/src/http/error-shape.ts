import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorResponse } from '@zen/contract';
import {
  InvalidEntryError,
  LogNotFoundError,
  LogStoreError,
  MalformedJsonError,
  printable,
  RateLimitedError,
  ServerSessionError,
  SessionEndedError,
  SessionExistsError,
  SessionNotFoundError,
  StoreUnavailableError,
  TooManyEntriesError,
  TooManySessionsError,
} from '@zen/log-store';
import { ServerResponse, STATUS_CODES } from 'node:http';
import { presetHeaders, presetOf, sendJson } from '../common/response-body';
import { RetryLaterException } from '../common/unsent-responses';
import { clippedMarked } from '../common/quoted';
import { API_HEADERS } from './security-headers';

/**
 * Nest's side of the error shape: what a Nest route throws is answered by sendError,
 * exactly as the pipeline answers what its own steps and raw routes throw.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    sendError(host.switchToHttp().getResponse<ServerResponse>(), exception, this.logger);
  }
}

/**
 * Answers `exception` in the contract's error shape (or cuts the connection if the
 * answer had begun). Errors that are not ours become a 500 without internals; the
 * stack goes to the log only.
 */
export function sendError(res: ServerResponse, exception: unknown, logger: Logger): void {
  const body = describeError(exception);
  // Only what nothing answered on purpose is logged with its stack: an unreachable store
  // (503 per request) and a readiness probe's 503 are expected answers.
  if (body.statusCode >= 500 && !(exception instanceof StoreUnavailableError || exception instanceof HttpException)) {
    logger.error(`Unhandled error: ${String(exception)}`, (exception as Error)?.stack);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (
    exception instanceof RateLimitedError ||
    exception instanceof RetryLaterException ||
    (exception instanceof StoreUnavailableError && exception.retryAfterSeconds !== undefined)
  ) {
    res.setHeader('Retry-After', String(exception.retryAfterSeconds));
  }
  withDataHeaders(res);
  sendJson(res, body.statusCode, JSON.stringify(body));
}

/**
 * An error is data, even on a route that serves pages (a missing dashboard file, the API
 * docs): its page headers, preset and set one by one for Express, give way to the API's.
 */
function withDataHeaders(res: ServerResponse): void {
  const preset = presetOf(res);
  if (preset === API_HEADERS) return;
  for (let i = 0; i < preset.length; i += 2) res.removeHeader(preset[i]);
  presetHeaders(res, API_HEADERS);
}

/** The one place the engine's domain errors become HTTP statuses (the WebSocket filter sends their message). */
const DOMAIN_STATUS = new Map<abstract new (...args: never[]) => LogStoreError, number>([
  [InvalidEntryError, 400],
  [MalformedJsonError, 400],
  [ServerSessionError, 403],
  [SessionNotFoundError, 404],
  [LogNotFoundError, 404],
  [SessionEndedError, 409],
  [SessionExistsError, 409],
  [TooManyEntriesError, 413],
  [TooManySessionsError, 429],
  [RateLimitedError, 429],
  [StoreUnavailableError, 503],
]);

/** The status of a domain error: its class's, or the nearest ancestor's in DOMAIN_STATUS (500 for none). */
function domainErrorStatus(error: LogStoreError): number {
  for (let type = Object.getPrototypeOf(error); type && type !== Error.prototype; type = Object.getPrototypeOf(type)) {
    const status = DOMAIN_STATUS.get(type.constructor);
    if (status !== undefined) return status;
  }
  return 500;
}

function describeError(exception: unknown): ErrorResponse {
  if (exception instanceof LogStoreError) {
    return errorBody(domainErrorStatus(exception), exception.message);
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const answer = exception.getResponse();
    const message = typeof answer === 'string' ? answer : (answer as { message?: string | string[] }).message;
    const told = withoutToken(message ?? exception.message);
    return errorBody(status, status === 404 ? withTargetClipped(told) : told);
  }
  // Errors raised by Express itself (e.g. an undecodable path) carry a 4xx status.
  const status = (exception as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return errorBody(status, withoutToken((exception as Error).message));
  }
  return errorBody(500, 'Internal server error');
}

/**
 * A message without the value of an `access_token` it quotes: Nest's 404 names the request's whole
 * target (`Cannot GET /x?access_token=…`), and a client that prints the error (a CLI in a CI log,
 * the dashboard's notice) would show the token. The parameter's name stays, so the message still
 * says which URL it was.
 */
function withoutToken<T extends string | string[]>(message: T): T {
  if (typeof message !== 'string') return message;
  return message.replace(/([?&]access(?:_|%5f)token=)[^&#\s]*/gi, '$1…') as T;
}

/** Nest's 404 for a path no route serves: `Cannot <method> <the request's whole target>`. */
const NO_ROUTE = /^(Cannot [A-Z]+ )([\s\S]*)$/;

/**
 * Nest's 404 with its request target cut as a quoted value is: the target may be 16 KiB
 * (a long query), and a client prints the message whole.
 */
function withTargetClipped<T extends string | string[]>(message: T): T {
  if (typeof message !== 'string') return message;
  const found = NO_ROUTE.exec(message);
  if (!found) return message;
  return `${found[1]}${clippedMarked(found[2])}` as T;
}

/** The contract's error shape; a message may quote what a client sent, so its control characters are escaped. */
export function errorBody(statusCode: number, message: string | string[]): ErrorResponse {
  const told = typeof message === 'string' ? printable(message) : message.map(printable);
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: told };
}
