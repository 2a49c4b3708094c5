import { Logger, OnApplicationShutdown, UseFilters } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
  WsException,
} from '@nestjs/websockets';
import { parseOid, SESSIONS_WS_PATH, WS_EVENTS } from '@zen/contract';
import WebSocket, { Server } from 'ws';
import { AppConfig } from '../config/app-config';
import { SessionsService } from '../sessions/sessions.service';
import { StoreUnavailableError } from '@zen/log-store';
import { errorFrame, sessionsFrame } from './live-frames';
import { LogFollowers } from './log-followers';
import { WsErrorFilter } from './ws-error.filter';

/** Clients that answered the last ping; the others are reaped at the next one. */
const alive = new WeakSet<WebSocket>();

/**
 * `/sessions/ws`: the periodic `sessions` push and the `subscribe-log` /
 * `unsubscribe-log` messages. The listing is serialised once per tick and the same
 * bytes go to every client.
 */
@WebSocketGateway({ path: SESSIONS_WS_PATH })
@UseFilters(WsErrorFilter)
export class LiveGateway
  implements
    OnGatewayInit<Server>,
    OnGatewayConnection<WebSocket>,
    OnGatewayDisconnect<WebSocket>,
    OnApplicationShutdown
{
  private server!: Server;
  private readonly logger = new Logger('LiveGateway');
  private readonly timers: NodeJS.Timeout[] = [];
  /** The message of the store outage clients were last told about; '' while the store answers. */
  private outage = '';

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly followers: LogFollowers,
  ) {}

  afterInit(server: Server): void {
    this.server = server;
    this.timers.push(
      setInterval(() => void this.tick().catch((error) => this.tickFailed(error)), this.config.wsIntervalMs),
    );
    if (this.config.wsPingIntervalMs > 0) {
      this.timers.push(setInterval(() => this.reapDead(), this.config.wsPingIntervalMs));
    }
    for (const timer of this.timers) timer.unref();
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  async handleConnection(client: WebSocket): Promise<void> {
    alive.add(client);
    client.on('pong', () => alive.add(client));
    try {
      const listing = await this.sessions.listJson();
      if (client.readyState === WebSocket.OPEN) client.send(sessionsFrame(listing));
    } catch (error) {
      // The store is unreachable: say so and keep the connection; the periodic push catches up.
      if (!(error instanceof StoreUnavailableError)) throw error;
      if (client.readyState === WebSocket.OPEN) client.send(errorFrame(error.message));
    }
  }

  handleDisconnect(client: WebSocket): void {
    this.followers.disconnect(client);
  }

  clientCount(): number {
    return this.server?.clients.size ?? 0;
  }

  @SubscribeMessage(WS_EVENTS.subscribeLog)
  async subscribeLog(@ConnectedSocket() client: WebSocket, @MessageBody() data: unknown): Promise<void> {
    const id = sessionIdOf(data, WS_EVENTS.subscribeLog);
    const cursor = (data as { cursor?: unknown }).cursor ?? 0;
    if (typeof cursor !== 'number' || !Number.isSafeInteger(cursor) || cursor < 0) {
      throw new WsException(`${WS_EVENTS.subscribeLog}: cursor must be a non-negative integer`);
    }
    if (!(await this.sessions.find(id))) throw new WsException(`${WS_EVENTS.subscribeLog}: session ${id} not found`);
    this.followers.follow(client, id, cursor);
  }

  @SubscribeMessage(WS_EVENTS.unsubscribeLog)
  unsubscribeLog(@ConnectedSocket() client: WebSocket, @MessageBody() data: unknown): void {
    this.followers.unfollow(client, sessionIdOf(data, WS_EVENTS.unsubscribeLog));
  }

  private async tick(): Promise<void> {
    this.followers.retryLagging();
    if (this.server.clients.size === 0) return;
    const frame = Buffer.from(sessionsFrame(await this.sessions.listJson()));
    this.outage = '';
    for (const client of this.server.clients) {
      // A client that is not reading gets no more listings until it drains.
      if (client.readyState === WebSocket.OPEN && client.bufferedAmount <= this.config.wsMaxBufferedBytes) {
        client.send(frame, { binary: false });
      }
    }
  }

  private tickFailed(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof StoreUnavailableError) {
      // Tell every client once per outage; connections and subscriptions stay, and resume when it ends.
      if (this.outage === message) return;
      this.outage = message;
      const frame = errorFrame(message);
      for (const client of this.server.clients) if (client.readyState === WebSocket.OPEN) client.send(frame);
    }
    this.logger.warn(`sessions push skipped: ${message}`);
  }

  private reapDead(): void {
    for (const client of this.server.clients) {
      if (!alive.has(client)) {
        client.terminate();
        continue;
      }
      alive.delete(client);
      client.ping();
    }
  }
}

function sessionIdOf(data: unknown, event: string): string {
  const raw = (data as { id?: unknown } | null)?.id;
  const id = typeof raw === 'string' ? parseOid(raw) : null;
  if (id === null) throw new WsException(`${event}: data.id must be a session id (24 hexadecimal characters)`);
  return id;
}
