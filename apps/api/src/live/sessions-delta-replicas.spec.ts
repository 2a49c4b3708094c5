import { ServerMessage, SessionList, SessionsDeltaData } from '@zen/contract';
import { NewSession, Stores } from '@zen/log-store';
import { createRedisStores } from '@zen/log-store/redis';
import { oid, RedisServer, WsTestClient } from '@zen/testing';
import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';
import { replay } from '../testing/delta-replay';
import { RunningApp, startApp } from '../testing/running-app';

// A real redis-server and a real server: generous on a busy machine.
jest.setTimeout(60_000);

/** One client connection through the proxy, whose answers from Redis can be held back. */
class Link {
  /** Whether the client subscribed (a change feed's connection). */
  subscriber = false;
  holding = false;
  readonly held: Buffer[] = [];
  private tail = '';

  constructor(
    readonly client: Socket,
    readonly upstream: Socket,
  ) {}

  /** The commands' names in what the client sent (as RESP carries them: `\r\nINCR\r\n`), across chunk boundaries too. */
  sent(chunk: Buffer): (command: string) => boolean {
    // node-redis names some commands in lower case (`subscribe`).
    const text = (this.tail + chunk.toString('latin1')).toUpperCase();
    this.tail = text.slice(-32);
    return (command) => text.includes(`\r\n${command}\r\n`);
  }

  release(): void {
    this.holding = false;
    // In one write: what Redis answered meanwhile reaches the client at once.
    if (this.held.length > 0) this.client.write(Buffer.concat(this.held.splice(0)));
  }
}

/**
 * A TCP proxy in front of Redis that can hold back Redis's answers on some connections
 * until released: a change feed's (its pub/sub messages), or the one that sends a given
 * command next. What clients send always goes through at once, so Redis runs their commands;
 * only the answers wait.
 */
class HoldingProxy {
  private readonly links = new Set<Link>();
  private next: { command: string; held: () => void } | null = null;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(redis: RedisServer): Promise<HoldingProxy> {
    const holder: { proxy?: HoldingProxy } = {};
    const server = createServer((client) => holder.proxy?.accept(client, redis.port));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    holder.proxy = new HoldingProxy(server, `redis://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return holder.proxy;
  }

  /** Holds the messages of the change feeds connected through the proxy. */
  holdFeeds(): void {
    for (const link of this.links) if (link.subscriber) link.holding = true;
  }

  /** Holds the answers on the connection that sends the command next; settles once Redis has answered it. */
  holdAfter(command: string): Promise<void> {
    return new Promise((held) => (this.next = { command, held }));
  }

  /** Whether the answers held contain the text (a pub/sub message naming a session, say). */
  holds(text: string): boolean {
    return [...this.links].some((link) => Buffer.concat(link.held).includes(text));
  }

  /** What each connection holds, for a failure message. */
  describeHeld(): string {
    const held = [...this.links].map((link) => ({ feed: link.subscriber, held: Buffer.concat(link.held).toString() }));
    return JSON.stringify(held);
  }

  release(): void {
    this.next = null;
    for (const link of this.links) link.release();
  }

  async stop(): Promise<void> {
    for (const link of this.links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    await new Promise((done) => this.server.close(done));
  }

  private accept(client: Socket, port: number): void {
    const link = new Link(client, connect(port, '127.0.0.1'));
    this.links.add(link);
    let held: (() => void) | null = null;
    client.on('data', (chunk: Buffer) => {
      const names = link.sent(chunk);
      if (names('SUBSCRIBE')) link.subscriber = true;
      if (this.next && names(this.next.command)) {
        link.holding = true;
        held = this.next.held;
        this.next = null;
      }
      link.upstream.write(chunk);
    });
    link.upstream.on('data', (chunk: Buffer) => {
      if (!link.holding) return void client.write(chunk);
      link.held.push(chunk);
      held?.();
      held = null;
    });
    for (const socket of [client, link.upstream]) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.links.delete(link);
        client.destroy();
        link.upstream.destroy();
      });
    }
  }
}

const deltas = (client: WsTestClient) => client.of('sessions-delta') as SessionsDeltaData[];
const listings = (frames: ServerMessage[]) => frames.filter((frame) => frame.event === 'sessions').length;

/**
 * API.md: applying a delta client's events in order to its baseline gives exactly the list a
 * full `sessions` event would carry, with changes made through any replica. Sessions created
 * in one millisecond through two replicas are listed by their creation order in Redis; their
 * creates may reach a third replica's change feed in the other order. Made deterministic here:
 * the creating replicas are stores on the app's key prefix with one stopped clock (an app's
 * registry takes Date.now, so two apps cannot be made to stamp the same millisecond), and
 * TCP proxies hold back Redis's answers to order the creates' steps and their reports.
 */
describe('sessions feed across replicas on one Redis: sessions created in the same millisecond', () => {
  let redis: RedisServer;
  const cleanup: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  afterAll(async () => {
    await redis.close();
  });

  /** An app on Redis at `url` with a WebSocket client in delta mode that has its baseline. */
  async function appWithDeltaClient(url: string, keyPrefix: string, deltaMs: number) {
    const app: RunningApp = await startApp({
      LOG_STORE: 'redis',
      REDIS_URL: url,
      REDIS_KEY_PREFIX: keyPrefix,
      SESSIONS_WS_DELTA_MS: String(deltaMs),
      // No periodic listing to cross the subscribe: the second listing is the baseline.
      SESSIONS_WS_INTERVAL_MS: '600000',
    });
    cleanup.push(() => app.close());
    const watcher = new WsTestClient(`${app.wsUrl}/sessions/ws`);
    cleanup.push(async () => watcher.ws.terminate());
    await watcher.until((frames) => listings(frames) >= 1);
    watcher.send('subscribe-sessions', { mode: 'delta' });
    await watcher.until((frames) => listings(frames) >= 2);
    return { app, watcher };
  }

  /** A replica's stores on Redis at `url` (the test's, or a proxy to it) stamping `created` with `clock`. */
  async function storeReplica(url: string, keyPrefix: string, clock: () => number): Promise<Stores> {
    const stores = await createRedisStores({
      capacity: 100,
      retainEnded: 10,
      maxActiveClients: 1000,
      commandTimeoutMs: 10_000,
      url,
      keyPrefix,
      clock,
    });
    cleanup.push(() => stores.close());
    return stores;
  }

  it("are in a delta in the order a listing has them (the store's creation order), not the order their creates were reported", async () => {
    const keyPrefix = 'delta-ties:';
    // The replica the delta client follows, whose Redis traffic can be held back.
    const toB = await HoldingProxy.start(redis);
    cleanup.push(() => toB.stop());
    const { app: b, watcher } = await appWithDeltaClient(toB.url, keyPrefix, 200);

    // Two more replicas of the same store that create sessions, both stamping `created` with
    // one clock stopped at the same millisecond (not earlier than anything listed already).
    const at = Date.now();
    const toSlow = await HoldingProxy.start(redis);
    cleanup.push(() => toSlow.stop());
    const [slow, fast] = [
      await storeReplica(toSlow.url, keyPrefix, () => at),
      await storeReplica(redis.url, keyPrefix, () => at),
    ];
    const session = (id: string): NewSession => ({ id, fields: { appname: 'tie' }, clientAddress: null });
    const [first, second] = [oid(0x7e1), oid(0x7e2)];

    // B's change feed waits, so that it gets both creates' reports at once (in one window).
    toB.holdFeeds();
    // `first` takes its creation order, then its create stalls until `second`'s is done: the
    // store numbers `first` before `second`, but `second` is reported first.
    const numbered = toSlow.holdAfter('INCR');
    const creatingFirst = slow.sessions.create(session(first));
    await numbered;
    const secondRecord = await fast.sessions.create(session(second));
    toSlow.release();
    const firstRecord = await creatingFirst;
    expect(firstRecord.created).toBe(secondRecord.created);
    expect(firstRecord.order).toBeLessThan(secondRecord.order);
    // Both reports are at B's door, `second`'s first: let them in together.
    const waitedFor = Date.now() + 10_000;
    while (!(toB.holds(`created ${first}`) && toB.holds(`created ${second}`))) {
      if (Date.now() > waitedFor) throw new Error(`the creates were not reported to B: ${toB.describeHeld()}`);
      await new Promise((done) => setTimeout(done, 10));
    }
    toB.release();

    await watcher.until(() => deltas(watcher).some((delta) => delta.upserted.some((s) => s.id === first)));
    const delta = deltas(watcher).find((d) => d.upserted.some((s) => s.id === first)) as SessionsDeltaData;
    // One delta with both (otherwise the client's rule could not place them as the listing does).
    const created = delta.upserted.map((s) => s.id).filter((id) => id === first || id === second);
    const listing = (await (await fetch(`${b.url}/sessions/?status=all`)).json()) as SessionList;
    const listed = listing.sessions.map((s) => s.id).filter((id) => id === first || id === second);
    expect(listed).toEqual([second, first]);
    expect(created).toEqual(listed);
    // And what the delta client holds is the listing (no `sessions` event since the first delta).
    const events = watcher.frames.map((frame) => frame.event);
    expect(events.lastIndexOf('sessions')).toBeLessThan(events.indexOf('sessions-delta'));
    expect(replay(watcher.frames).map((s) => s.id)).toEqual(listing.sessions.map((s) => s.id));
  });

  it('reach a delta client whose list holds a newer one as a fresh baseline (a delta would put the older on top)', async () => {
    const keyPrefix = 'delta-skew:';
    const { app: b, watcher } = await appWithDeltaClient(redis.url, keyPrefix, 50);

    // Two replicas whose clocks differ by 5 s: the one behind creates its session second.
    const now = Date.now();
    const [ahead, behind] = [
      await storeReplica(redis.url, keyPrefix, () => now + 5_000),
      await storeReplica(redis.url, keyPrefix, () => now),
    ];
    const session = (id: string): NewSession => ({ id, fields: { appname: 'skew' }, clientAddress: null });
    const [newer, older] = [oid(0x5e1), oid(0x5e2)];
    await ahead.sessions.create(session(newer));
    await watcher.until(() => deltas(watcher).some((delta) => delta.upserted.some((s) => s.id === newer)));
    const baselines = listings(watcher.frames);
    await behind.sessions.create(session(older));
    await watcher.until((frames) => replay(frames).some((s) => s.id === older));

    const listing = (await (await fetch(`${b.url}/sessions/?status=all`)).json()) as SessionList;
    expect(listing.sessions.map((s) => s.id).filter((id) => id === newer || id === older)).toEqual([newer, older]);
    expect(listings(watcher.frames)).toBe(baselines + 1);
    expect(deltas(watcher).some((delta) => delta.upserted.some((s) => s.id === older))).toBe(false);
    expect(replay(watcher.frames).map((s) => s.id)).toEqual(listing.sessions.map((s) => s.id));
  });
});
