import { INestApplicationContext, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { MessageMappingProperties } from '@nestjs/websockets';
import { WS_EVENTS } from '@zen/contract';
import { Observable } from 'rxjs';
import WebSocket, { RawData } from 'ws';
import { IncomingMessage } from 'node:http';
import { AccessTokens } from '../auth/access-tokens';
import { AppConfig } from '../config/app-config';
import { errorFrame } from './live-frames';

const GOING_AWAY = 1001;
/** How long closing clients get to answer the close handshake. */
const CLOSE_GRACE_MS = 1000;

/**
 * The ws adapter with the contract's behaviour: gateway paths live under BASE_PATH,
 * frames are bounded by WS_MAX_PAYLOAD_BYTES, and a frame the server cannot act on
 * (binary, not JSON, unknown event) is answered with an `error` event instead of
 * being dropped silently, as the stock adapter does.
 */
export class LiveWsAdapter extends WsAdapter {
  private readonly log = new Logger('LiveWsAdapter');

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
    private readonly tokens: AccessTokens,
  ) {
    super(app);
  }

  override create(port: number, options: Record<string, unknown> & { path?: string } = {}): WebSocket.Server {
    return super.create(port, {
      ...options,
      path: this.config.under(options.path ?? '/'),
      maxPayload: this.config.wsMaxPayloadBytes,
      // With AUTH_READ_TOKEN set, the upgrade needs the token (header or ?access_token=).
      verifyClient: (info: { req: IncomingMessage }, done: (ok: boolean, code?: number, message?: string) => void) =>
        this.tokens.allows('read', AccessTokens.fromRequest(info.req)) ? done(true) : done(false, 401, 'Unauthorized'),
    });
  }

  /** On shutdown, clients are told the server is going away (1001) instead of being cut off. */
  override async close(server: WebSocket.Server): Promise<void> {
    for (const client of server.clients) client.close(GOING_AWAY, 'server shutting down');
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    let grace: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (grace = setTimeout(resolve, CLOSE_GRACE_MS)));
    await Promise.race([closed, deadline]);
    clearTimeout(grace);
    for (const client of server.clients) client.terminate();
  }

  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const byEvent = new Map(handlers.map((handler) => [handler.message as string, handler]));
    client.on('message', (raw: RawData, isBinary: boolean) => {
      const problem = isBinary ? 'binary frames are not supported; send JSON text' : undefined;
      const message = problem ? undefined : parseMessage(raw);
      const handler = message && byEvent.get(message.event);
      if (!handler) {
        const why =
          problem ?? (message ? unknownEvent(message.event) : 'a message must be JSON: {"event": "...", "data": ...}');
        return send(client, errorFrame(why));
      }
      transform(handler.callback(message.data, message.event)).subscribe({
        next: (reply) => reply != null && send(client, JSON.stringify(reply)),
        error: (error) => this.log.error(`WebSocket handler failed: ${String(error)}`),
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

function send(client: WebSocket, frame: string): void {
  if (client.readyState === WebSocket.OPEN) client.send(frame);
}
