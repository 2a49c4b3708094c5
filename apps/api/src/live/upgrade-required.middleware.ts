import { HttpException, Injectable, NestMiddleware } from '@nestjs/common';
import { Response } from 'express';

const UPGRADE_REQUIRED = 426;

/** A plain HTTP request to the WebSocket path is told to upgrade (426). */
@Injectable()
export class UpgradeRequiredMiddleware implements NestMiddleware {
  use(_req: unknown, res: Response): void {
    res.setHeader('Upgrade', 'websocket');
    throw new HttpException('this is a WebSocket endpoint: connect with a WebSocket client', UPGRADE_REQUIRED);
  }
}
