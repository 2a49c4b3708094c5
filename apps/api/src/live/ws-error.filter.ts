import { ArgumentsHost, Catch, HttpException, Logger, WsExceptionFilter } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { LogStoreError } from '@zen/log-store';
import WebSocket from 'ws';
import { AppConfig } from '../config/app-config';
import { errorFrame } from './live-frames';
import { sendError } from './live-ws.adapter';

/**
 * Sends a failed message's reason to its client as an `error` event; the connection stays
 * open. Skipped while the client has more than WS_MAX_BUFFERED_BYTES queued (sendError).
 */
@Catch()
export class WsErrorFilter implements WsExceptionFilter {
  private readonly logger = new Logger('LiveGateway');

  constructor(private readonly config: AppConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const client = host.switchToWs().getClient<WebSocket>();
    let message = 'the server could not act on this message';
    if (exception instanceof WsException || exception instanceof HttpException || exception instanceof LogStoreError) {
      message = exception.message;
    } else {
      this.logger.error(`WebSocket message failed: ${String(exception)}`, (exception as Error)?.stack);
    }
    sendError(client, errorFrame(message), this.config.wsMaxBufferedBytes);
  }
}
