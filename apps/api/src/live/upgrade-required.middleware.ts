import { HttpException, Injectable, NestMiddleware } from '@nestjs/common';
import { Response } from 'express';

const UPGRADE_REQUIRED = 426;

/** A plain HTTP request to the WebSocket path is told to upgrade (426). */
@Injectable()
export class UpgradeRequiredMiddleware implements NestMiddleware {
  use(_req: unknown, res: Response): void {
    res.setHeader('Upgrade', 'websocket');
    // RFC 9110 §7.8: a sender of Upgrade names it in Connection too. A Connection header set
    // here would decide keep-alive for Node, so it carries Node's own choice (close while
    // the server shuts down, or when the client asked) beside it.
    res.setHeader('Connection', `Upgrade, ${res.shouldKeepAlive ? 'keep-alive' : 'close'}`);
    throw new HttpException('this is a WebSocket endpoint: connect with a WebSocket client', UPGRADE_REQUIRED);
  }
}
