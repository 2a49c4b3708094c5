import { OnApplicationShutdown, UseFilters } from '@nestjs/common';
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
import { LogFollowers } from './log-followers';
import { feedModeOf, SessionsFeed } from './sessions-feed';
import { WsErrorFilter } from './ws-error.filter';

/** Clients that answered the last ping; the others are reaped at the next one. */
const alive = new WeakSet<WebSocket>();

/**
 * `/sessions/ws`: the sessions listing (SessionsFeed: periodic `sessions` pushes or
 * `sessions-delta` events) and the `subscribe-log` / `unsubscribe-log` messages.
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
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly followers: LogFollowers,
    private readonly feed: SessionsFeed,
  ) {}

  afterInit(server: Server): void {
    this.server = server;
    this.timers.push(setInterval(() => this.tick(), this.config.wsIntervalMs));
    if (this.config.wsPingIntervalMs > 0) {
      this.timers.push(setInterval(() => this.reapDead(), this.config.wsPingIntervalMs));
    }
    for (const timer of this.timers) timer.unref();
  }

  onApplicationShutdown(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  handleConnection(client: WebSocket): void {
    alive.add(client);
    client.on('pong', () => alive.add(client));
    this.feed.connect(client);
  }

  handleDisconnect(client: WebSocket): void {
    this.followers.disconnect(client);
    this.feed.disconnect(client);
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

  @SubscribeMessage(WS_EVENTS.subscribeSessions)
  subscribeSessions(@ConnectedSocket() client: WebSocket, @MessageBody() data: unknown): void {
    this.feed.subscribe(client, feedModeOf(data));
  }

  private tick(): void {
    this.followers.retryLagging();
    this.feed.tick();
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
