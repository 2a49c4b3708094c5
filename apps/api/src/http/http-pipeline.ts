import { HttpException, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { LOG_HEADERS } from '@zen/contract';
import type { HeaderList } from '@zen/log-store';
import cors from 'cors';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Duplex } from 'node:stream';
import { AccessTokens, accessOf } from '../auth/access-tokens';
import { presetHeaders, presetOf } from '../common/response-body';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { AllowedHosts } from './allowed-hosts';
import { answerClientErrors, answerMalformed, hostProblem } from './client-errors';
import { ApiExceptionFilter, sendError } from './error-shape';
import { clipped, quoted } from '../common/quoted';
import { RawError, sendRawError } from './raw-error';
import { nestRoutes, Route, RouteAccess, RouteMatch, RouteTable, SERVED_METHODS, targetPath } from './route-table';
import { API_HEADERS, pageHeaders } from './security-headers';
import { asksForWebSocket } from './upgrade-header';
import { upgradeOriginProblem } from './upgrade-origin';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** How an upgrade to a WebSocket route ended, told to the pipeline by whoever serves it. */
export interface UpgradeOutcome {
  /** The 101 went out: the connection is a WebSocket. */
  upgraded(): void;
  /** Refused after all (what `ws` itself refuses): answered in the error shape, then closed. */
  refuse(error: RawError): void;
}

/** The WebSocket side of upgrades (LiveWsAdapter): what the pipeline cannot know of the protocol. */
export interface WebSocketUpgrades {
  /** What is wrong with the request as a WebSocket handshake, or undefined; checked before the token. */
  handshakeProblem(req: IncomingMessage): RawError | undefined;
  /** Hands the request to the WebSocket server of the route at `path`, which tells `outcome` how it ended. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, path: string, outcome: UpgradeOutcome): void;
}

/** `Access-Control-Max-Age` of CORS preflights (seconds). */
export const CORS_PREFLIGHT_MAX_AGE_S = 600;

/**
 * The one request pipeline. Every HTTP request the server receives passes through
 * `handle`, which applies each cross-cutting step once, in this order, whatever serves
 * the route afterwards:
 *
 *   metrics (timed from here, counted by route pattern) → security headers (a page's or the API's) →
 *   host (a name the server answers to: allowed-hosts.ts) → CORS (answers preflights) → access check
 *   (bearer tokens) → the route → error shape
 *
 * The route is then either a raw route (`@RawRoute()`, the log appends and reads),
 * called directly, or handed to Express and Nest. Upgrade requests (WebSockets) pass
 * through `handleUpgrade`, with the steps that apply to them. A new cross-cutting concern
 * belongs here, not in an Express middleware, a global Nest guard or the WebSocket adapter,
 * which raw routes or upgrades would skip; every-route.spec.ts checks every route of the
 * running app, and every WebSocket route, for each step.
 */
@Injectable()
export class HttpPipeline {
  readonly routes = new RouteTable();
  private readonly logger = new Logger('HTTP');
  private readonly pageHeaders: HeaderList = pageHeaders();
  private readonly cors?: Middleware;
  /** As HOST reads until the server listens, then as the address it listens on (see install). */
  private allowedHosts: AllowedHosts;

  constructor(
    private readonly config: AppConfig,
    private readonly tokens: AccessTokens,
    private readonly metrics: MetricsService,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {
    this.allowedHosts = AllowedHosts.of(config.allowedHosts, config.host);
    if (config.corsOrigins.length > 0) {
      this.cors = cors({
        origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
        // The package's default adds PATCH, which no route serves.
        methods: SERVED_METHODS,
        // Headers a cross-site client needs beyond the CORS-safelisted ones: a log read's, a
        // create's, and a rate-limited append's wait (@zen/client honours it).
        exposedHeaders: [...Object.values(LOG_HEADERS), 'Location', 'Retry-After'],
        // A preflight's answer kept 10 minutes (Chromium keeps at most 2 hours): without it,
        // Chromium keeps it 5 s, so a session logger's heartbeat (every 5 s) and most of its
        // batches from a page cost a preflight each, twice the requests.
        maxAge: CORS_PREFLIGHT_MAX_AGE_S,
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
    // Whether the server is on a loopback address is the address it listens on, not HOST's text:
    // `127.1` or a name the hosts file gives a loopback address (Debian's own host name, 127.0.1.1;
    // `ip6-localhost`) listened there with the guard off. Emitted before any connection is taken.
    server.once('listening', () => {
      const bound = server.address();
      if (bound && typeof bound === 'object')
        this.allowedHosts = AllowedHosts.of(this.config.allowedHosts, bound.address);
    });
    answerClientErrors(server, this.routes);
  }

  get basePath(): string {
    return this.config.basePath;
  }

  /**
   * Declares a route served outside Nest's controllers: the API docs (Express), a
   * WebSocket's path (`webSocket`: upgrades go to its server, plain requests to Express).
   */
  addRoute(route: Omit<Route, 'raw'>): void {
    this.routes.add(route);
  }

  handle(req: IncomingMessage, res: ServerResponse, express: Handler): void {
    // Malformed, as what Node's parser rejects: not counted (answerClientErrors).
    const badHost = hostProblem(req);
    if (badHost) return answerMalformed(res, badHost);
    const start = performance.now();
    const method = req.method ?? 'GET';
    const found = this.routes.match(method, req.url ?? '/');
    const label = found?.route.path ?? 'unmatched';
    presetHeaders(res, found?.route.pages ? this.pageHeaders : API_HEADERS);
    const otherHost = this.allowedHosts.problem(req.headers.host);
    if (otherHost) {
      sendError(res, new HttpException(otherHost.message, otherHost.status), this.logger);
      return this.metrics.record(method, label, res.statusCode, start);
    }
    if (!this.cors) return this.afterCors(req, res, express, found, label, start);
    if (method === 'OPTIONS') {
      // The cors package answers every OPTIONS as a preflight (204, no Allow, on any path): an
      // OPTIONS that is none (no Access-Control-Request-Method, as `curl -X OPTIONS` sends it) is
      // answered as without CORS, with Allow, or 404 where no route is.
      if (req.headers['access-control-request-method'] === undefined)
        return this.afterCors(req, res, express, found, label, start);
      // A preflight is answered by the cors package itself, header by header.
      this.setSecurityHeaders(res);
    }
    // The cors package calls back synchronously; when it does not, it answered a preflight.
    let passed = false;
    this.cors(req, res, () => {
      passed = true;
      this.afterCors(req, res, express, found, label, start);
    });
    if (!passed) res.once('finish', () => this.metrics.record(method, label, res.statusCode, start));
  }

  /**
   * An upgrade request (the server's `upgrade` event), through the steps that apply to it:
   *
   *   metrics (timed from here; counted by the WebSocket route's pattern, or `unmatched`,
   *   with 101 or the refusal's status) → the route (a WebSocket route of the route table,
   *   its path spelt as an HTTP route's may be; else 404, or 400 for an upgrade that does not
   *   ask for a WebSocket: upgrade-header.ts) → host (as for HTTP) → the handshake (`webSockets`) →
   *   origin (a browser page's: its server's host, or CORS_ORIGINS; upgrade-origin.ts) →
   *   access check (the route's access, as for HTTP) → the WebSocket server → error shape
   *   and security headers on every refusal
   *
   * CORS does not apply: browsers do not enforce it on WebSockets, so the Origin header is
   * checked instead. The handshake and the path are checked before the origin and the token,
   * so a client without one still learns what it did wrong.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, webSockets: WebSocketUpgrades): void {
    // Node never checks an upgrade's Host; refused as a plain request's is, uncounted.
    const badHost = hostProblem(req);
    if (badHost) return sendRawError(socket, badHost);
    const start = performance.now();
    const method = req.method ?? 'GET';
    // Read as an HTTP request's path is (dot segments and all), so that an upgrade reaches
    // exactly the paths where a plain request gets the WebSocket route's 426.
    const path = targetPath(req.url ?? '/');
    const route = this.routes.webSocketAt(path);
    const label = route?.path ?? 'unmatched';
    let answered = false;
    const count = (status: number) => {
      if (answered) return;
      answered = true;
      this.metrics.record(method, label, status, start);
    };
    const refuse = (error: RawError) => {
      if (answered) return;
      sendRawError(socket, error);
      count(error.status);
    };
    try {
      if (!route) return refuse(asksForWebSocket(req) ? this.noWebSocket(path) : otherUpgrade(req));
      const problem =
        this.allowedHosts.problem(req.headers.host) ??
        webSockets.handshakeProblem(req) ??
        upgradeOriginProblem(req, this.config.corsOrigins) ??
        this.upgradeAccessProblem(route, req);
      if (problem) return refuse(problem);
      webSockets.accept(req, socket, head, route.path, { upgraded: () => count(101), refuse });
    } catch (error) {
      this.logger.error(`WebSocket upgrade failed: ${String(error)}`, (error as Error)?.stack);
      refuse({ status: 500, message: 'Internal server error' });
    }
  }

  /** The route's access for an upgrade: the token may come as ?access_token= (browsers cannot send the header). */
  private upgradeAccessProblem(route: Route, req: IncomingMessage): RawError | undefined {
    // As AccessTokens.check: without a token to ask for, the URL is not parsed for one.
    if (route.access === 'public' || !this.tokens.required(route.access)) return undefined;
    const howToSend = 'send "Authorization: Bearer <token>" or ?access_token=<token>';
    const message = this.tokens.problem(route.access, req, 'this WebSocket', howToSend);
    return message === undefined ? undefined : { status: 401, message, headers: { 'WWW-Authenticate': 'Bearer' } };
  }

  private noWebSocket(path: string): RawError {
    const where = this.routes
      .webSockets()
      .map((route) => route.path)
      .join(', ');
    return {
      status: 404,
      message: `no WebSocket at ${quoted(path)}${where ? `; connect to ${where}` : ''}`,
    };
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
      const access = found?.route.access ?? this.unroutedAccess(req, method);
      if (access !== 'public') this.tokens.check(access, req, res);
    } catch (error) {
      sendError(res, error, this.logger);
      return this.metrics.record(method, label, res.statusCode, start);
    }
    if (!found) {
      // A path some route serves, with another method: 405 (OPTIONS: 204) naming the methods.
      const allowed = this.routes.methodsAt(req.url ?? '/');
      if (allowed.length > 0) {
        this.answerOtherMethod(req, res, allowed);
        return this.metrics.record(method, label, res.statusCode, start);
      }
    }
    const raw = found?.route.raw;
    if (raw) return void this.serveRaw(raw, req, res, found.params, label, start);
    // Express writes its answers header by header: give it the preset ones the same way.
    if (!res.hasHeader('Content-Security-Policy')) this.setSecurityHeaders(res);
    res.once('finish', () => this.metrics.record(method, label, res.statusCode, start));
    express(req, res);
  }

  /**
   * The access of a request no route serves: its method's, but a path only open routes serve
   * (OPTIONS /health, HAProxy's default check; POST /health) is as open as they are, since its 204
   * or 405 tells nothing they do not. Without a token to ask for, the routes are not looked at.
   */
  private unroutedAccess(req: IncomingMessage, method: string): RouteAccess {
    const access = accessOf(method);
    if (!this.tokens.required(access)) return access;
    return this.routes.publicAt(req.url ?? '/') ?? access;
  }

  /**
   * A request whose path a route serves, but not with its method: `OPTIONS` is answered
   * 204 with `Allow` (CORS preflights, when CORS is on, were answered before), any other
   * method 405 in the error shape, with `Allow`.
   */
  private answerOtherMethod(req: IncomingMessage, res: ServerResponse, allowed: string[]): void {
    const allow = allowed.join(', ');
    if (req.method === 'OPTIONS') {
      res.writeHead(204, presetOf(res).concat('Allow', allow));
      res.end();
      return;
    }
    const path = clipped(targetPath(req.url ?? '/'));
    const error = new HttpException(`${req.method} is not allowed on ${path}; use ${allow}`, 405);
    res.setHeader('Allow', allow);
    sendError(res, error, this.logger);
  }

  private setSecurityHeaders(res: ServerResponse): void {
    const headers = presetOf(res);
    for (let i = 0; i < headers.length; i += 2) res.setHeader(headers[i], headers[i + 1]);
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

/**
 * An upgrade to another protocol than WebSocket at a path without one: `curl --http2` sends
 * `Upgrade: h2c` with every request to an http:// URL. RFC 9110 §7.8 lets a server ignore it,
 * but Node has handed the connection over by now (its parser stopped at the headers): serving the
 * request here would take hand-written HTTP, outside Node's timeouts. Refused, saying so (it was a
 * 404 "no WebSocket" on every path).
 */
function otherUpgrade(req: IncomingMessage): RawError {
  const upgrade = quoted(String(req.headers.upgrade));
  return {
    status: 400,
    message: `Upgrade ${upgrade} is not supported: this server speaks HTTP/1.1 (and WebSocket at its WebSocket path, with Upgrade: websocket alone); send the request without Upgrade (curl: without --http2)`,
  };
}
