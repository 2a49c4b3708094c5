import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ErrorResponse } from '@zen/contract';
import { ServerResponse, STATUS_CODES } from 'node:http';
import { sendJson } from '../common/response-body';

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
  if (body.statusCode >= 500) {
    logger.error(`Unhandled error: ${String(exception)}`, (exception as Error)?.stack);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, body.statusCode, JSON.stringify(body));
}

function describeError(exception: unknown): ErrorResponse {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const answer = exception.getResponse();
    const message = typeof answer === 'string' ? answer : (answer as { message?: string | string[] }).message;
    return errorBody(status, message ?? exception.message);
  }
  // Errors raised by Express itself (e.g. an undecodable path) carry a 4xx status.
  const status = (exception as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return errorBody(status, (exception as Error).message);
  }
  return errorBody(500, 'Internal server error');
}

export function errorBody(statusCode: number, message: string | string[]): ErrorResponse {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}
