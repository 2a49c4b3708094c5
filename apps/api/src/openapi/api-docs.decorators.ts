import { applyDecorators } from '@nestjs/common';
import { ApiParam, ApiResponse } from '@nestjs/swagger';
import { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ERROR } from './schemas';

const ERROR_MEANINGS: Record<number, string> = {
  400: 'Bad id, malformed body or invalid fields',
  401: 'Missing or wrong bearer token (AUTH_TOKEN / AUTH_READ_TOKEN)',
  403: "The server's own session cannot be changed by clients",
  404: 'Unknown session',
  409: 'The session has ended',
  413: 'Body larger than MAX_BODY_BYTES, or too many entries',
  415: 'Unsupported Content-Type or charset',
  429: 'Too many active sessions (MAX_SESSIONS)',
};

/** The `{id}` path parameter. */
export const ApiSessionId = (): MethodDecorator =>
  ApiParam({ name: 'id', description: 'Session OID: 24 hexadecimal characters (upper case is normalised)' });

/** Error statuses a route can answer, each with the contract's error shape. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ...statuses.map((status) => ApiResponse({ status, description: ERROR_MEANINGS[status], schema: ERROR })),
  );
}

export function ApiJson(status: number, description: string, schema: SchemaObject): MethodDecorator & ClassDecorator {
  return ApiResponse({ status, description, schema });
}
