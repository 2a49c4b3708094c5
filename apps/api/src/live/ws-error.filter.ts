import { ArgumentsHost, Catch, HttpException, Logger, WsExceptionFilter } from '@nestjs/common';
import { WsException } from '@nestjs/websockets';
import { LogStoreError } from '@zen/log-store';
import WebSocket from 'ws';
import { errorFrame } from './live-frames';

/** Sends a failed message's reason to its client as an `error` event; the connection stays open. */
@Catch()
export class WsErrorFilter implements WsExceptionFilter {
  private readonly logger = new Logger('LiveGateway');

  catch(exception: unknown, host: ArgumentsHost): void {
    const client = host.switchToWs().getClient<WebSocket>();
    let message = 'the server could not act on this message';
    if (exception instanceof WsException || exception instanceof HttpException || exception instanceof LogStoreError) {
      message = exception.message;
    } else {
      this.logger.error(`WebSocket message failed: ${String(exception)}`, (exception as Error)?.stack);
    }
    if (client.readyState === WebSocket.OPEN) client.send(errorFrame(message));
  }
}
