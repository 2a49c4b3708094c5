import { settledWithin } from '../settled-within';
import { doublingBackoff } from './backoff';
import { connectAgain, namingUrl, RedisConnection, STALL_RECONNECT_TIMEOUTS, StoreClient } from './redis-connection';

/** One change as published on the feed channel. */
export type FeedMessage =
  | { kind: 'appended'; id: string; cursor: number }
  | { kind: 'created' | 'updated' | 'ended' | 'removed'; id: string };

const KINDS = new Set(['appended', 'created', 'updated', 'ended', 'removed']);
/** First wait before asking again for a SUBSCRIBE Redis refused, and the longest (see subscribe). */
const RESUBSCRIBE_FIRST_MS = 100;
const RESUBSCRIBE_MAX_MS = 3_000;

/** The feed message as published: `<kind> <id>`, or `appended <id> <cursor>`. */
export function feedMessage(kind: FeedMessage['kind'], id: string): string {
  return `${kind} ${id}`;
}

function parse(text: string): FeedMessage | undefined {
  const [kind, id, cursor] = text.split(' ');
  if (!KINDS.has(kind) || !id) return undefined;
  if (kind === 'appended') return { kind, id, cursor: Number(cursor) };
  return { kind: kind as Exclude<FeedMessage['kind'], 'appended'>, id };
}

export interface ChangeFeedHandlers {
  /** A change made through any replica (this one included: its own changes come back this way too). */
  change(message: FeedMessage): void;
  /** The subscription is lost (`why`, the connection's error): changes published from now until `resync` will be missed. */
  lost(why: string): void;
  /**
   * The subscription was lost and is back: changes published meanwhile were missed,
   * so everything a listener follows may have moved.
   */
  resync(): void;
}

/**
 * The change feed between replicas: Redis pub/sub on one channel, on a connection of
 * its own (a subscribed connection can do nothing else). Pub/sub rather than a stream:
 * the logs themselves are the durable record (a follower reads from its cursor), so
 * the feed only needs to say "this session moved" as fast as possible, with nothing
 * to store or trim; what it loses while disconnected, `resync` makes up for.
 */
export class RedisChangeFeed {
  private readonly subscriber: StoreClient;
  /** Why the subscribed connection last failed (for readiness). */
  private lastError = 'not subscribed yet';
  /** Settles once the feed is subscribed (it may never settle while Redis is down). */
  readonly subscribed: Promise<void>;
  private markSubscribed!: () => void;
  private isSubscribed = false;
  /** The next SUBSCRIBE after a refusal, and how many were refused in a row on this connection. */
  private retry: NodeJS.Timeout | undefined;
  private refusals = 0;
  /** A SUBSCRIBE is in flight: a second would add a second listener, and deliver every message twice. */
  private subscribing = false;
  private closed = false;
  /** Checks that the subscribed connection still answers (see checkAlive). */
  private readonly aliveChecks: NodeJS.Timeout;
  /** The last check's PING has had no answer yet. */
  private pingUnanswered = false;

  constructor(
    private readonly connection: RedisConnection,
    private readonly handlers: ChangeFeedHandlers,
  ) {
    this.subscribed = new Promise((done) => (this.markSubscribed = done));
    this.subscriber = connection.client.duplicate();
    this.subscriber.on('error', (error: Error) => {
      // The command connection reports the same outage; reconnecting is automatic.
      this.lastError = namingUrl(error.message || error.name, connection.options.url);
      if (this.isSubscribed) handlers.lost(this.lastError);
    });
    this.subscriber.on('ready', () => void this.onReady());
    this.subscriber.connect().catch(() => undefined);
    this.aliveChecks = setInterval(() => this.checkAlive(), this.silentLimitMs());
    this.aliveChecks.unref();
  }

  /**
   * Why the feed does not deliver now (undefined when it does): the command connection may be
   * up while this one is refused (`maxclients` reached), and a replica without its feed
   * tells its WebSocket clients nothing of changes made through the others.
   */
  notReady(): string | undefined {
    if (this.isSubscribed && this.subscriber.isReady) return undefined;
    return `the change feed (${this.connection.name}) is not subscribed: ${this.lastError}`;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    clearInterval(this.aliveChecks);
    if (this.subscriber.isOpen) this.subscriber.destroy();
  }

  /**
   * Waits until every message published before this call has been delivered: Redis
   * answers the PING on the subscribed connection after them. False when the feed is down
   * or slower than a quarter of the command timeout (what it delivered is then not known to
   * be complete, and the caller still has time to read Redis instead).
   */
  async caughtUp(): Promise<boolean> {
    if (!this.isSubscribed || !this.subscriber.isReady) return false;
    const answered = this.subscriber.ping().then(
      () => true,
      () => false,
    );
    return settledWithin(answered, this.connection.options.commandTimeoutMs / 4, false);
  }

  /**
   * Pings the subscribed connection at each check, and makes it again when the last check's PING
   * still has no answer: a connection the network lost without a word (a partition, a NAT or
   * firewall that forgot it: no RST) is as quiet as a feed with no changes, and every change
   * published meanwhile would be missed for as long as the kernel keeps it (~15 minutes). Made
   * again, it resubscribes and `resync` has listeners catch up.
   */
  private checkAlive(): void {
    if (!this.isSubscribed || !this.subscriber.isReady) {
      this.pingUnanswered = false;
      return;
    }
    if (this.pingUnanswered) {
      this.pingUnanswered = false;
      this.lastError = `no answer for ${this.silentLimitMs()} ms: connecting again`;
      this.handlers.lost(this.lastError);
      connectAgain(this.subscriber, () => undefined);
      return;
    }
    this.pingUnanswered = true;
    const answered = () => (this.pingUnanswered = false);
    this.subscriber.ping().then(answered, answered);
  }

  /** How long the subscribed connection may leave a PING unanswered: as the command connection (STALL_RECONNECT_TIMEOUTS). */
  private silentLimitMs(): number {
    return STALL_RECONNECT_TIMEOUTS * this.connection.options.commandTimeoutMs;
  }

  private onReady(): void {
    if (!this.isSubscribed) {
      this.refusals = 0;
      void this.subscribe();
      return;
    }
    // The client has reconnected and resubscribed by itself (a 'ready' after the first is
    // always a reconnection, even one no 'error' announced); tell listeners what they may have missed.
    this.handlers.resync();
  }

  /**
   * Subscribes, or asks again with backoff while the connection stays up: Redis may refuse
   * the SUBSCRIBE itself on a healthy connection (`NOPERM` from an ACL without the command or
   * the channel), and no 'ready' would come to try again once the operator fixed it.
   */
  private async subscribe(): Promise<void> {
    clearTimeout(this.retry);
    this.retry = undefined;
    if (this.subscribing || this.isSubscribed || this.closed) return;
    this.subscribing = true;
    try {
      await this.subscriber.subscribe(this.connection.keys.changes, (text) => this.receive(text));
      this.isSubscribed = true;
      this.markSubscribed();
      // Subscribed only after refusals: the replica served meanwhile, deaf to the others'
      // changes, and its followers and copies catch up as after a reconnect.
      if (this.refusals > 0) this.handlers.resync();
    } catch (error) {
      this.lastError = (error as Error).message;
      // Lost before subscribing: the next 'ready' tries again (and a retry now would fail offline).
      if (this.closed || !this.subscriber.isReady) return;
      const wait = doublingBackoff(this.refusals++, RESUBSCRIBE_FIRST_MS, RESUBSCRIBE_MAX_MS);
      this.retry = setTimeout(() => void this.subscribe(), wait);
      this.retry.unref();
    } finally {
      this.subscribing = false;
    }
  }

  private receive(text: string): void {
    const message = parse(text);
    if (message) this.handlers.change(message);
  }
}
