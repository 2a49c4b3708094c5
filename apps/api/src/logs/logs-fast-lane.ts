import { Logger } from '@nestjs/common';
import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { AccessTokens } from '../auth/access-tokens';
import { sendError } from '../common/api-exception.filter';
import { presetHeaders } from '../common/response-body';
import { fixedSecurityHeaders } from '../common/security-headers';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { LogsController } from './logs.controller';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Routes log appends and reads with a well-formed id straight to LogsController,
 * ahead of Express. Measured (docs/performance.md): Express's router and middleware
 * chain cost more than the whole append of a small entry. Everything Express would
 * have added is done here too: the token check, the security headers, the metrics
 * and the error shape; the controller's code is the same either way. Anything else
 * (a bad id included) goes on to Express and Nest as usual.
 */
export class LogsFastLane {
  private readonly logger = new Logger('LogsFastLane');
  private readonly path: RegExp;
  private readonly route: string;
  private readonly headers = fixedSecurityHeaders();

  constructor(
    config: AppConfig,
    private readonly controller: LogsController,
    private readonly tokens: AccessTokens,
    private readonly metrics: MetricsService,
  ) {
    const base = config.basePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.path = new RegExp(`^${base}/sessions/([0-9a-fA-F]{24})/log/?(?:\\?|$)`);
    this.route = `${config.basePath}/sessions/:id/log`;
  }

  /** Puts the lane in front of `express` on the server's request event. */
  install(server: Server, express: Handler): void {
    server.removeListener('request', express);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (!this.handle(req, res)) express(req, res);
    });
  }

  /** Serves the request if it is a log read or append; false leaves it to Express. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    const method = req.method;
    if (method !== 'POST' && method !== 'GET') return false;
    const match = this.path.exec(req.url ?? '');
    if (!match) return false;
    void this.serve(req, res, method, match[1].toLowerCase());
    return true;
  }

  private async serve(req: IncomingMessage, res: ServerResponse, method: 'GET' | 'POST', id: string): Promise<void> {
    const start = process.hrtime.bigint();
    presetHeaders(res, this.headers);
    try {
      if (method === 'POST') {
        this.tokens.check('write', req, res);
        await this.controller.append(id, req, res);
      } else {
        this.tokens.check('read', req, res);
        await this.controller.read(id, req, res);
      }
    } catch (error) {
      sendError(res, error, this.logger);
    }
    this.metrics.record(method, this.route, res.statusCode, start);
  }
}
