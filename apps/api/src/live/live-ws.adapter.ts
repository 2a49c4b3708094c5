import { INestApplicationContext, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { MessageMappingProperties } from '@nestjs/websockets';
import { WS_EVENTS } from '@zen/contract';
import { settledWithin } from '@zen/log-store';
import { Observable } from 'rxjs';
import WebSocket, { RawData } from 'ws';
import { IncomingMessage, Server } from 'node:http';
import { Duplex } from 'node:stream';
import { ClientAddresses } from '../common/client-addresses';
import { AppConfig } from '../config/app-config';
import { HttpPipeline, UpgradeOutcome, WebSocketUpgrades } from '../http/http-pipeline';
import { sendRawError } from '../http/raw-error';
import { errorFrame } from './live-frames';
import { ProtocolWarnings } from './protocol-warnings';
import { handshakeProblem } from './upgrade-refusal';

const GOING_AWAY = 1001;
/** How long closing clients get to answer the close handshake. */
const CLOSE_GRACE_MS = 1000;

/** An upgrade refused while the server shuts down. */
const SHUTTING_DOWN = {
  status: 503,
  message: 'the server is shutting down: connect to another replica, or again once it has restarted',
};

/** The close code `ws` gives a message over its `maxPayload`. */
const MESSAGE_TOO_BIG = 1009;

/**
 * The server's WebSocket class: `ws` closes a connection whose message (its frames together) is
 * over its `maxPayload` with 1009 and no reason, so a client author could not tell which limit, nor what to change.
 * That close is given `reason` (at most 123 bytes, the close frame's room).
 */
function closingTooBigWith(reason: string): typeof WebSocket {
  return class extends WebSocket {
    override close(code?: number, data?: string | Buffer): void {
      super.close(code, code === MESSAGE_TOO_BIG && data === undefined ? reason : data);
    }
  };
}

/** A WebSocket server as the stock adapter registers it: with the path it serves. */
type PathServer = WebSocket.Server & { path: string };

/**
 * The ws adapter with the contract's behaviour: gateway paths live under BASE_PATH,
 * frames are bounded by WS_MAX_PAYLOAD_BYTES, and a frame the server cannot act on
 * (binary, not JSON, unknown event) is answered with an `error` event instead of
 * being dropped silently, as the stock adapter does. Upgrade requests go through the
 * HTTP pipeline (HttpPipeline.handleUpgrade: the route, its access, metrics, and refusals
 * in the contract's error shape, where the stock adapter cut the connection without a
 * word and `ws` answers text/html); this adapter adds only the WebSocket's own part.
 */
export class LiveWsAdapter extends WsAdapter {
  private readonly log = new Logger('LiveWsAdapter');
  /** Upgrades handed to `ws` and not yet answered, so that what `ws` still refuses is told to the pipeline. */
  private readonly pending = new WeakMap<IncomingMessage, UpgradeOutcome>();
  /** Set once shutdown closes the WebSocket servers: upgrades still coming are refused (503). */
  private closing = false;
  private readonly protocolWarnings: ProtocolWarnings;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly pipeline: HttpPipeline,
    private readonly addresses: ClientAddresses,
  ) {
    super(app);
    this.protocolWarnings = new ProtocolWarnings(config.wsMaxProtocolWarningsPerMin, (line) => this.log.warn(line));
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): WebSocket.Server {
    const server: WebSocket.Server = super.create(port, {
      ...options,
      path: this.config.under(options.path ?? '/'),
      maxPayload: this.config.wsMaxPayloadBytes,
      WebSocket: closingTooBigWith(
        `a message over WS_MAX_PAYLOAD_BYTES (${this.config.wsMaxPayloadBytes} bytes) was sent; send smaller ones or raise it`,
      ),
    });
    // What `ws` still refuses after handshakeProblem (a malformed Sec-WebSocket-Protocol or
    // -Extensions header) is a 400 in the error shape too, instead of its text/html answer.
    server.on('wsClientError', (error: Error, socket: Duplex, req: IncomingMessage) => {
      const refusal = { status: 400, message: error.message };
      const outcome = this.pending.get(req);
      if (outcome) outcome.refuse(refusal);
      else sendRawError(socket, refusal);
    });
    return server;
  }

  /**
   * The stock adapter's `upgrade` listener on the HTTP server, replaced: every upgrade
   * request goes through the HTTP pipeline, which hands it to the WebSocket server of its
   * route only once nothing in it would be refused (the handshake of an accepted request
   * is `ws`'s own).
   */
  protected override ensureHttpServerExists(port: number, httpServer?: Server): Server | undefined {
    if (this.httpServersRegistry.has(port)) return undefined;
    const server = httpServer ?? new Server();
    this.httpServersRegistry.set(port, server);
    const webSockets = this.webSocketsOf(port);
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.pipeline.handleUpgrade(req, socket, head, webSockets),
    );
    return server;
  }

  /** The WebSocket servers on `port`, as the pipeline sees them. */
  private webSocketsOf(port: number): WebSocketUpgrades {
    return {
      handshakeProblem,
      accept: (req, socket, head, path, outcome) => {
        // During shutdown an upgrade can still come on a connection the HTTP server keeps for a
        // grace (ShutdownService): its WebSocket server is closed, or gone from the registry.
        if (this.closing) return outcome.refuse(SHUTTING_DOWN);
        const servers: PathServer[] = this.wsServersRegistry.get(port) ?? [];
        const wsServer = servers.find((server) => server.path === path);
        if (!wsServer) throw new Error(`the route table has a WebSocket at ${path}, but no gateway serves it`);
        this.pending.set(req, outcome);
        wsServer.handleUpgrade(req, socket, head, (client) => {
          this.pending.delete(req);
          outcome.upgraded();
          wsServer.emit('connection', client, req);
        });
      },
    };
  }

  /**
   * The stock handler logs a client's `error` as the server's own error, stack and all. On a
   * client's socket `ws` raises one only when the client broke the protocol (a frame over
   * WS_MAX_PAYLOAD_BYTES, invalid UTF-8, an unmasked frame) and then closes it (1009, 1007,
   * 1002): the client's fault, so a warning naming the client and the problem, not an error
   * (so many a minute: see ProtocolWarnings).
   */
  override bindErrorHandler(server: WebSocket.Server): WebSocket.Server {
    server.on('connection', (client: WebSocket, req: IncomingMessage) => {
      // As the session records it: behind a trusted proxy, the client it forwarded, not the proxy.
      const address = this.addresses.of(req);
      client.on('error', (error: Error & { code?: string }) =>
        this.protocolWarnings.report(
          address,
          error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
            ? `${error.message} (over WS_MAX_PAYLOAD_BYTES, ${this.config.wsMaxPayloadBytes} bytes)`
            : error.message,
        ),
      );
    });
    server.on('error', (error: Error) => this.log.error(error));
    return server;
  }

  /** On shutdown, clients are told the server is going away (1001) instead of being cut off. */
  override async close(server: WebSocket.Server): Promise<void> {
    this.closing = true;
    this.protocolWarnings.stop();
    for (const client of server.clients) client.close(GOING_AWAY, 'server shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    await settledWithin(closed, CLOSE_GRACE_MS, undefined);
    for (const client of server.clients) client.terminate();
  }

  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const byEvent = new Map(handlers.map((handler) => [handler.message as string, handler]));
    // Messages of this client being handled. Past WS_MAX_MESSAGES_IN_FLIGHT its socket is not read
    // until half of them are done: a client sending faster than the store answers (thousands of
    // `subscribe-log` a second, on Redis) would otherwise queue work, and grow the server's
    // memory, without bound (a gigabyte for 300,000 frames).
    const most = this.config.wsMaxMessagesInFlight;
    let inFlight = 0;
    const done = () => {
      inFlight--;
      if (client.isPaused && inFlight <= most / 2) client.resume();
    };
    client.on('message', (raw: RawData, isBinary: boolean) => {
      const problem = isBinary ? 'binary frames are not supported; send JSON text' : undefined;
      const message = problem ? undefined : parseMessage(raw);
      const handler = message && byEvent.get(message.event);
      if (!handler) {
        const why =
          problem ?? (message ? unknownEvent(message.event) : 'a message must be JSON: {"event": "...", "data": ...}');
        return sendError(client, errorFrame(why), this.config.wsMaxBufferedBytes);
      }
      if (++inFlight >= most) client.pause();
      transform(handler.callback(message.data, message.event)).subscribe({
        next: (reply) => reply != null && send(client, JSON.stringify(reply)),
        error: (error) => {
          this.log.error(`WebSocket handler failed: ${String(error)}`);
          done();
        },
        complete: done,
      });
    });
  }
}

function parseMessage(raw: RawData): { event: string; data: unknown } | undefined {
  try {
    const message = JSON.parse(raw.toString());
    return typeof message?.event === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

function unknownEvent(event: string): string {
  const known = [WS_EVENTS.subscribeLog, WS_EVENTS.unsubscribeLog, WS_EVENTS.subscribeSessions].join(', ');
  return `unknown event ${JSON.stringify(event.slice(0, 64))}; expected one of ${known}`;
}

/**
 * An `error` event, unless the client has more than WS_MAX_BUFFERED_BYTES queued: a client
 * that sends bad frames without reading the answers would otherwise grow the server's
 * memory without bound (one queued answer per frame it sends). Such answers are skipped,
 * like the other events while a client is behind (API.md: the server may skip it ahead).
 */
export function sendError(client: WebSocket, frame: string, maxBufferedBytes: number): void {
  if (client.bufferedAmount <= maxBufferedBytes) send(client, frame);
}

/** A frame sent even to a client that is behind: for what it must learn once, never for answers it could multiply. */
export function send(client: WebSocket, frame: string): void {
  if (client.readyState === WebSocket.OPEN) client.send(frame);
}
