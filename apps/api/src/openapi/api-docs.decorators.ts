import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { LOG_HEADERS } from '@zen/contract';
import { ContractSchemaName, schemaRef } from './contract-schemas';

export const ERROR_MEANINGS: Record<number, string> = {
  400: 'Bad id, malformed body or invalid fields',
  401: 'Missing or wrong bearer token (AUTH_TOKEN / AUTH_READ_TOKEN)',
  403: "The server's own session cannot be changed by clients",
  404: 'Unknown session',
  409: 'The session has ended',
  413: 'Body larger than MAX_BODY_BYTES, or too many entries',
  415: 'Unsupported Content-Type or charset',
  429: 'Too many active sessions (MAX_SESSIONS)',
  503:
    'The session store cannot be reached (LOG_STORE=redis while Redis is unavailable), or, with Retry-After, ' +
    'the request bodies being received at once would pass MAX_INCOMING_BODY_BYTES',
};

/** A response header (OpenAPI's Header Object, as far as these decorators use it). */
interface ResponseHeader {
  description: string;
  required?: boolean;
  schema: { type: 'integer' | 'string'; minimum?: number };
}

/** Where buildOpenApiDocument finds a request body's media types (Nest's ApiBody takes one schema for all). */
export const REQUEST_CONTENT = 'x-zen-request-content';

/**
 * The `{id}` path parameter. Any segment is accepted on the wire and answered 400 when
 * it is not an OID, so the document does not constrain it.
 */
export const ApiSessionId = (): MethodDecorator =>
  ApiParam({
    name: 'id',
    schema: { type: 'string' },
    description: 'Session OID: 24 hexadecimal characters (upper case is normalised)',
  });

/**
 * Headers of the generic error statuses: a 503 for MAX_INCOMING_BODY_BYTES carries Retry-After (1),
 * one for a store that cannot be reached does not.
 */
const ERROR_HEADERS: Record<number, Record<string, ResponseHeader>> = {
  503: {
    'Retry-After': {
      description: 'Whole seconds to wait before retrying (MAX_INCOMING_BODY_BYTES)',
      required: false,
      schema: { type: 'integer', minimum: 1 },
    },
  },
};

/** Error statuses a route can answer, each with the contract's error shape. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiError(status, ERROR_MEANINGS[status], ERROR_HEADERS[status])));
}

/**
 * One error status in the contract's error shape, with a meaning of the route's own. Given as
 * `schema` (Nest writes it as the application/json content), which also replaces the schema a
 * decorator applied earlier gave the status: Terminus's result object on the health probes' 503,
 * which the server never answers (its exception filter answers the error shape).
 */
export function ApiError(
  status: number,
  description: string,
  headers?: Record<string, ResponseHeader>,
): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, schema: schemaRef('ErrorResponse'), ...(headers ? { headers } : {}) });
}

/** The append's 429: a spent append budget, with the whole seconds to wait in Retry-After. */
export function ApiAppendRateLimited(): MethodDecorator {
  return ApiError(
    429,
    'Append rate limit spent (MAX_APPEND_ENTRIES_PER_S per session, MAX_CLIENT_APPEND_ENTRIES_PER_S per ' +
      'client address); nothing was appended',
    {
      'Retry-After': {
        description: 'Whole seconds until the budget holds an entry again',
        required: true,
        schema: { type: 'integer', minimum: 1 },
      },
    },
  );
}

/**
 * A read's refusals to retry later (the sessions listing, the log read), with the whole seconds
 * to wait in Retry-After: a 429 for a client whose answers are not read yet
 * (MAX_CLIENT_UNSENT_RESPONSE_BYTES), a 503 for all clients' (MAX_UNSENT_RESPONSE_BYTES) or, for
 * a log read on Redis, too many large reads at once (REDIS_LARGE_READS), beside the 503 of a store
 * that cannot be reached (which says nothing of when to retry).
 */
export function ApiReadRetryLater(): MethodDecorator {
  const retryAfter = (required: boolean): Record<string, ResponseHeader> => ({
    'Retry-After': {
      description: 'Whole seconds to wait before retrying',
      required,
      schema: { type: 'integer', minimum: 1 },
    },
  });
  return applyDecorators(
    ApiError(429, "This client's answers not read yet would pass MAX_CLIENT_UNSENT_RESPONSE_BYTES", retryAfter(true)),
    ApiError(
      503,
      "All clients' answers not read yet would pass MAX_UNSENT_RESPONSE_BYTES, or (a log read on Redis) too many " +
        'large reads wait for their turn (REDIS_LARGE_READS), both with Retry-After; or the session store cannot be reached',
      retryAfter(false),
    ),
  );
}

/** A JSON answer whose body is the contract's `schema`. */
export function ApiJson(status: number, description: string, schema: ContractSchemaName): MethodDecorator {
  return ApiResponse({ status, description, content: { 'application/json': { schema: schemaRef(schema) } } });
}

/** A create's 201: the session, and its URL in Location. */
export function ApiCreated(description: string): MethodDecorator {
  return ApiResponse({
    status: 201,
    description,
    content: { 'application/json': { schema: schemaRef('Session') } },
    headers: {
      Location: { description: "The session's URL (under BASE_PATH)", required: true, schema: { type: 'string' } },
    },
  });
}

/** A request body: media type → the contract's schema. */
export function ApiInput(content: Record<string, ContractSchemaName>, required: boolean): MethodDecorator {
  const media = Object.fromEntries(Object.entries(content).map(([type, name]) => [type, { schema: schemaRef(name) }]));
  return ApiExtension(REQUEST_CONTENT, { required, content: media });
}

/** The query parameters of the contract's query schema `name`, each optional. */
export function ApiQueryOf(name: ContractSchemaName, parameters: string[]): MethodDecorator {
  return applyDecorators(
    ...parameters.map((parameter) =>
      ApiQuery({ name: parameter, required: false, schema: schemaRef(name, parameter) }),
    ),
  );
}

/** The log read's 200: JSON pages (cursor or offset mode), NDJSON and text downloads with their headers. */
export function ApiLogPage(): MethodDecorator {
  const header = (description: string) => ({ description, schema: { type: 'integer' as const, minimum: 0 } });
  return ApiResponse({
    status: 200,
    description: 'A page of entries (format=json), or the entries as NDJSON or text lines',
    content: {
      'application/json': { schema: { oneOf: [schemaRef('LogCursorPage'), schemaRef('LogOffsetPage')] } },
      'application/x-ndjson': { schema: { type: 'string', description: 'One entry object per line' } },
      'text/plain': { schema: { type: 'string', description: '<time> <LEVEL> <message> per line' } },
    },
    headers: {
      [LOG_HEADERS.cursor]: header('format=ndjson/text: the cursor to pass next (offset mode: logCursor)'),
      [LOG_HEADERS.dropped]: header('format=ndjson/text: entries evicted before they could be read'),
      [LOG_HEADERS.total]: header('format=ndjson/text: held entries passing the filters'),
    },
  });
}

/** A text/plain answer (the metrics). */
export function ApiText(status: number, description: string): MethodDecorator {
  return ApiResponse({ status, description, content: { 'text/plain': { schema: { type: 'string' } } } });
}
