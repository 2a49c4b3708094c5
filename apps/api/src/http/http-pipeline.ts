import { Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { LOG_HEADERS } from '@zen/contract';
import cors from 'cors';
import { IncomingMessage, ServerResponse } from 'node:http';
import { AccessTokens } from '../auth/access-tokens';
import { HeaderList, presetHeaders } from '../common/response-body';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { answerClientErrors } from './client-errors';
import { ApiExceptionFilter, sendError } from './error-shape';
import { accessOf, nestRoutes, Route, RouteMatch, RouteTable } from './route-table';
import { securityHeaders } from './security-headers';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/**
 * The one request pipeline. Every HTTP request the server receives passes through
 * `handle`, which applies each cross-cutting step once, in this order, whatever serves
 * the route afterwards:
 *
 *   metrics (timed from here, counted by route pattern) → security headers → CORS
 *   (answers preflights) → access check (bearer tokens) → the route → error shape
 *
 * The route is then either a raw route (`@RawRoute()`, the log appends and reads),
 * called directly, or handed to Express and Nest. A new cross-cutting concern belongs
 * here, not in an Express middleware or a global Nest guard, which raw routes would skip;
 * http-pipeline.spec.ts checks every route of the running app for each step.
 */
@Injectable()
export class HttpPipeline {
  readonly routes = new RouteTable();
  private readonly logger = new Logger('HTTP');
  private readonly headers: HeaderList = securityHeaders();
  private readonly cors?: Middleware;

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: AccessTokens,
    private readonly metrics: MetricsService,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {
    if (config.corsOrigins.length > 0) {
      this.cors = cors({
        origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
        exposedHeaders: Object.values(LOG_HEADERS),
      });
    }
  }

  /**
   * Puts the pipeline in front of Express on `app`'s server, with the routes of its
   * controllers (after those added before: Nest's middleware runs before its routes).
   */
  install(app: NestExpressApplication): void {
    app.useGlobalFilters(new ApiExceptionFilter());
    for (const route of nestRoutes(this.discovery, this.scanner, this.config.basePath)) this.routes.add(route);
    const server = app.getHttpServer();
    const express = app.getHttpAdapter().getInstance() as Handler;
    server.removeListener('request', express);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.handle(req, res, express));
    answerClientErrors(server);
  }

  get basePath(): string {
    return this.config.basePath;
  }

  /** Declares a route served by Express outside Nest's controllers (the WebSocket path's 426, the API docs). */
  addRoute(route: Omit<Route, 'raw'>): void {
    this.routes.add(route);
  }

  handle(req: IncomingMessage, res: ServerResponse, express: Handler): void {
    const start = performance.now();
    const method = req.method ?? 'GET';
    const found = this.routes.match(method, req.url ?? '/');
    const label = found?.route.path ?? 'unmatched';
    presetHeaders(res, this.headers);
    if (!this.cors) return this.afterCors(req, res, express, found, label, start);
    // A preflight is answered by the cors package itself, header by header.
    if (method === 'OPTIONS') this.setSecurityHeaders(res);
    // The cors package calls back synchronously; when it does not, it answered a preflight.
    let passed = false;
    this.cors(req, res, () => {
      passed = true;
      this.afterCors(req, res, express, found, label, start);
    });
    if (!passed) res.once('finish', () => this.metrics.record(method, label, res.statusCode, start));
  }

  private afterCors(
    req: IncomingMessage,
    res: ServerResponse,
    express: Handler,
    found: RouteMatch | undefined,
    label: string,
    start: number,
  ): void {
    const method = req.method ?? 'GET';
    try {
      const access = found?.route.access ?? accessOf(method);
      if (access !== 'public') this.tokens.check(access, req, res);
    } catch (error) {
      sendError(res, error, this.logger);
      return this.metrics.record(method, label, res.statusCode, start);
    }
    const raw = found?.route.raw;
    if (raw) return void this.serveRaw(raw, req, res, found.params, label, start);
    // Express writes its answers header by header: give it the preset ones the same way.
    if (!res.hasHeader(this.headers[0])) this.setSecurityHeaders(res);
    res.once('finish', () => this.metrics.record(method, label, res.statusCode, start));
    express(req, res);
  }

  private setSecurityHeaders(res: ServerResponse): void {
    for (let i = 0; i < this.headers.length; i += 2) res.setHeader(this.headers[i], this.headers[i + 1]);
  }

  private async serveRaw(
    raw: NonNullable<Route['raw']>,
    req: IncomingMessage,
    res: ServerResponse,
    params: RouteMatch['params'],
    label: string,
    start: number,
  ): Promise<void> {
    try {
      await raw(req, res, params);
    } catch (error) {
      sendError(res, error, this.logger);
    }
    this.metrics.record(req.method ?? 'GET', label, res.statusCode, start);
  }
}
