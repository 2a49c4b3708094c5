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
import { ClientEvents, formatSubscribeLogRefusal, SESSIONS_WS_PATH, WS_EVENTS } from '@zen/contract';
import { CLIENT_EVENT_SCHEMAS } from '@zen/contract/schemas';
import WebSocket, { Server } from 'ws';
import { SessionRecord, StoreUnavailableError } from '@zen/log-store';
import { ContractValidator } from '../common/contract-validator';
import { AppConfig } from '../config/app-config';
import { SessionsService } from '../sessions/sessions.service';
import { LogFollowers } from './log-followers';
import { SessionsFeed } from './sessions-feed';
import { WsErrorFilter } from './ws-error.filter';

/**
 * Longest time between two looks at a shared store on behalf of the WebSocket clients (an
 * outage told, lagging followers retried): the default SESSIONS_WS_INTERVAL_MS.
 */
const STORE_CHECK_MS = 1000;

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
  /**
   * Per client, the sessions whose newest `subscribe-log` is being looked up (startLookup);
   * an entry lives as long as its lookup, at most WS_MAX_MESSAGES_IN_FLIGHT per client.
   */
  private readonly lookups = new WeakMap<WebSocket, Map<string, symbol>>();

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly followers: LogFollowers,
    private readonly feed: SessionsFeed,
  ) {}

  afterInit(server: Server): void {
    this.server = server;
    this.timers.push(setInterval(() => this.tick(), this.config.wsIntervalMs));
    // A longer period must not delay what the tick also does for a shared store: telling
    // clients of an outage, and retrying the followers a failed read left behind. The memory
    // store has neither, so it is not looked at in between.
    if (this.config.logStore !== 'memory' && this.config.wsIntervalMs > STORE_CHECK_MS) {
      this.timers.push(setInterval(() => this.checkStore(), STORE_CHECK_MS));
    }
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
    this.lookups.delete(client);
    this.followers.disconnect(client);
    this.feed.disconnect(client);
  }

  clientCount(): number {
    return this.server?.clients.size ?? 0;
  }

  /**
   * Looks the session up, then follows it. A store that cannot answer (Redis unreachable)
   * does not refuse the subscription: it is kept unchecked (LogFollowers.followUnchecked),
   * and the client is told in an `error` event naming the store and the session
   * (`subscribe-log: session <id> pending until the store answers: <why>`). Once the store
   * answers, the client gets everything from its cursor, or `… not found`.
   */
  @SubscribeMessage(WS_EVENTS.subscribeLog)
  async subscribeLog(@ConnectedSocket() client: WebSocket, @MessageBody() data: unknown): Promise<void> {
    const { id, cursor } = payload(WS_EVENTS.subscribeLog, data ?? {});
    const session = id.toLowerCase();
    const lookup = this.startLookup(client, session);
    let found: SessionRecord | undefined;
    try {
      found = await this.sessions.find(session);
    } catch (error) {
      const newest = this.endLookup(client, session, lookup);
      if (!(error instanceof StoreUnavailableError)) throw error;
      // A later subscribe-log or unsubscribe-log of the session, sent meanwhile, decides instead.
      if (!newest) return;
      this.refuseBeyondLimit(client, session);
      if (!this.followers.followUnchecked(client, session, cursor ?? 0)) {
        const why = `${error.message} (and ${this.followers.uncheckedLimit()} subscriptions of this client already wait for it)`;
        throw new WsException(formatSubscribeLogRefusal({ id: session, reason: 'not subscribed', why }));
      }
      throw new WsException(pendingNotice(session, error));
    }
    const newest = this.endLookup(client, session, lookup);
    // Every subscribe-log of an unknown session is refused, even one a later one overtook.
    if (!found) throw new WsException(formatSubscribeLogRefusal({ id: session, reason: 'not found' }));
    if (!newest) return;
    this.refuseBeyondLimit(client, session);
    this.followers.follow(client, session, found.created, cursor ?? 0);
  }

  /** A subscription past WS_MAX_SUBSCRIPTIONS of the connection is refused; the others stay. */
  private refuseBeyondLimit(client: WebSocket, session: string): void {
    const why = this.followers.subscriptionProblem(client, session);
    if (why) throw new WsException(formatSubscribeLogRefusal({ id: session, reason: 'not subscribed', why }));
  }

  @SubscribeMessage(WS_EVENTS.unsubscribeLog)
  unsubscribeLog(@ConnectedSocket() client: WebSocket, @MessageBody() data: unknown): void {
    const session = payload(WS_EVENTS.unsubscribeLog, data ?? {}).id.toLowerCase();
    this.lookups.get(client)?.delete(session);
    this.followers.unfollow(client, session);
  }

  /**
   * Marks a `subscribe-log` as the client's newest for the session while its session is
   * looked up (which takes up to REDIS_TIMEOUT_MS when Redis stalls): a later
   * `subscribe-log` or `unsubscribe-log` of that session, sent meanwhile, wins over it.
   */
  private startLookup(client: WebSocket, session: string): symbol {
    let lookups = this.lookups.get(client);
    if (!lookups) this.lookups.set(client, (lookups = new Map()));
    const lookup = Symbol(session);
    lookups.set(session, lookup);
    return lookup;
  }

  /** Whether the lookup is still the newest of its session; it is forgotten either way. */
  private endLookup(client: WebSocket, session: string, lookup: symbol): boolean {
    const lookups = this.lookups.get(client);
    if (lookups?.get(session) !== lookup) return false;
    lookups.delete(session);
    return true;
  }

  @SubscribeMessage(WS_EVENTS.subscribeSessions)
  subscribeSessions(@ConnectedSocket() client: WebSocket, @MessageBody() data: unknown): void {
    this.feed.subscribe(client, payload(WS_EVENTS.subscribeSessions, data).mode);
  }

  private tick(): void {
    this.followers.retryLagging();
    this.feed.tick();
  }

  /** Between two ticks of a long SESSIONS_WS_INTERVAL_MS (see afterInit). */
  private checkStore(): void {
    this.followers.retryLagging();
    this.feed.probeOutage();
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

/**
 * The `error` event of a `subscribe-log` the store could not look up: one line naming the
 * session and the store (`why` is the store's message), saying the subscription is kept.
 * Unlike a refusal (formatSubscribeLogRefusal), nothing is to be sent again.
 */
function pendingNotice(session: string, error: StoreUnavailableError): string {
  return `${WS_EVENTS.subscribeLog}: session ${session} pending until the store answers: ${oneLine(error.message)}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ');
}

/** A validator per client event, from the contract's schemas: every payload is checked by one. */
const validators: { [E in keyof ClientEvents]: ContractValidator<(typeof CLIENT_EVENT_SCHEMAS)[E]> } = {
  [WS_EVENTS.subscribeLog]: new ContractValidator(CLIENT_EVENT_SCHEMAS[WS_EVENTS.subscribeLog]),
  [WS_EVENTS.unsubscribeLog]: new ContractValidator(CLIENT_EVENT_SCHEMAS[WS_EVENTS.unsubscribeLog]),
  [WS_EVENTS.subscribeSessions]: new ContractValidator(CLIENT_EVENT_SCHEMAS[WS_EVENTS.subscribeSessions]),
};

/**
 * Longest a problem is told: a message that quotes the value sent (`subscribe-sessions`'s
 * `got …`) is cut there rather than echo a frame of up to WS_MAX_PAYLOAD_BYTES.
 */
const PROBLEM_MAX_CHARS = 120;

/**
 * A client event's payload checked against the contract's schema; an `error` event names
 * what was wrong. The log events pass a missing `data` as `{}`, so that the problem named is
 * the missing id; `subscribe-sessions` passes it as it is ("data must be an object").
 */
function payload<E extends keyof ClientEvents>(event: E, data: unknown): ClientEvents[E] {
  const problems = validators[event].problems(data, 'data');
  if (problems.length > 0) throw new WsException(`${event}: ${problems.map(clipped).join('; ')}`);
  return data as ClientEvents[E];
}

function clipped(problem: string): string {
  return problem.length > PROBLEM_MAX_CHARS ? `${problem.slice(0, PROBLEM_MAX_CHARS - 1)}…` : problem;
}
