import { SessionsClient } from '@zen/client';
import { createNodeLiveClient } from '@zen/client/node';
import { formatSubscribeLogRefusal, LogEntry, ServerEvents } from '@zen/contract';
import {
  BuiltServer,
  eventually,
  JSON_HEADERS,
  killRunningClis,
  RedisServer,
  startCli,
  WsTestClient,
} from '@zen/testing';
import { cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A real redis-server is stopped, emptied or set back, and started again under a running replica.
jest.setTimeout(120_000);

const ID = 'b52b52b52b52b52b52b52b52';
const OTHER = 'b52c52c52c52c52c52c52c52';

/**
 * Issue 12: replicas "reconnect and resubscribe after a Redis restart without losing or duplicating
 * an entry for a follower". Redis going back (restarted empty, or from an older append-only file or
 * snapshot) under a running built replica, with real WebSocket followers: a raw one, and the
 * library's LiveClient (what the dashboard and `zen-sessions tail --follow` use).
 */
describe('a Redis that goes back under a running replica (built server)', () => {
  let redis: RedisServer;
  let replica: BuiltServer;
  let backup: string;
  const clients: WsTestClient[] = [];
  const closing: (() => void)[] = [];

  beforeEach(async () => {
    redis = await RedisServer.start();
    backup = mkdtempSync(join(tmpdir(), 'zen-redis-backup-'));
    replica = await BuiltServer.start({
      LOG_STORE: 'redis',
      REDIS_URL: redis.url,
      REDIS_TIMEOUT_MS: '500',
      SESSIONS_WS_INTERVAL_MS: '200',
    });
  });
  afterEach(async () => {
    for (const close of closing.splice(0)) close();
    await killRunningClis();
    for (const client of clients.splice(0)) client.ws.terminate();
    await replica?.stop();
    await redis?.close();
    rmSync(backup, { recursive: true, force: true });
  });

  /** Redis's files as they are now (stopped for a consistent copy, then started again). */
  async function snapshot(): Promise<void> {
    await redis.stop();
    cpSync(redis.dir, backup, { recursive: true });
    await redis.restart();
  }

  /** Redis started again on the same port from what `snapshot` copied, or from nothing. */
  async function goBack(to: 'snapshot' | 'empty'): Promise<void> {
    await redis.stop();
    for (const name of readdirSync(redis.dir)) rmSync(join(redis.dir, name), { recursive: true, force: true });
    if (to === 'snapshot') cpSync(backup, redis.dir, { recursive: true });
    await redis.restart();
  }

  const create = (id: string) =>
    fetch(`${replica.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"goes-back"}' });
  /** Appends once Redis answers (the first requests after a restart may still meet the old connection). */
  const append = (id: string, lines: string[]) =>
    eventually(
      async () =>
        (
          await fetch(`${replica.url}/sessions/${id}/log`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain' },
            body: lines.join('\n'),
          })
        ).status === 200,
      30_000,
      `an append of ${lines.join(', ')}`,
    );

  async function follower(id: string, cursor = 0): Promise<WsTestClient> {
    const client = new WsTestClient(`${replica.wsUrl}/sessions/ws`);
    clients.push(client);
    await client.opened();
    client.send('subscribe-log', { id, cursor });
    return client;
  }
  const logs = (client: WsTestClient, id: string): ServerEvents['log'][] =>
    client.of('log').filter((event) => event.id === id);
  const lines = (client: WsTestClient, id: string) =>
    logs(client, id).flatMap((event) => event.entries.map((entry) => `${entry.seq} ${entry.message}`));
  const errors = (client: WsTestClient) => client.of('error').map((event) => event.message);

  /** The library's live client following `id` from 0, looking the session up on every (re)connect. */
  function liveFollower(id: string) {
    const seen: string[] = [];
    const rewound: [number, number][] = [];
    const live = createNodeLiveClient({
      server: replica.url,
      sessionLookup: new SessionsClient({ server: replica.url }),
      reconnectInitialMs: 100,
      reconnectMaxMs: 500,
    });
    closing.push(() => live.close());
    live.followLog(id, 0, {
      onEntries: (entries: LogEntry[]) => seen.push(...entries.map((entry) => `${entry.seq} ${entry.message}`)),
      onRewound: (logCursor, at) => rewound.push([logCursor, at]),
    });
    return { seen, rewound };
  }

  /** `zen-sessions tail --follow` of `id`, every entry as a JSON line. */
  function tailFollow(id: string) {
    const tail = startCli(['tail', '--follow', '-n', 'all', '--format', 'ndjson', id], {
      env: { ZEN_SESSIONS_URL: replica.url },
      input: '',
    });
    const printed = () => tail.stdout.split('\n').filter(Boolean).length;
    return { tail, printed };
  }

  it('closes a follower whose log went back with 1012 naming it, so that it reconnects and goes on from the log as Redis has it', async () => {
    expect((await create(ID)).status).toBe(201);
    expect((await create(OTHER)).status).toBe(201);
    await append(ID, ['kept0', 'kept1']);
    await append(OTHER, ['other0']);
    await snapshot();
    await append(ID, ['gone2', 'gone3']);

    const raw = await follower(ID);
    // A follower of a log that did not go back, on the same replica: it keeps its connection.
    const other = await follower(OTHER);
    const live = liveFollower(ID);
    const { tail, printed } = tailFollow(ID);
    await eventually(
      () => lines(raw, ID).length === 4 && live.seen.length === 4 && printed() === 4,
      30_000,
      'every follower at seq 4',
    );
    await eventually(() => lines(other, OTHER).length === 1, 30_000, 'the other log');

    // Redis comes back from the copy: ID's log holds kept0 and kept1 again, its cursor 2.
    await goBack('snapshot');
    await eventually(() => raw.closeCode !== null, 30_000, 'the follower of the log that went back closed');
    expect(raw.closeCode).toBe(1012);
    expect(raw.closeReason).toBe(`the log of session ${ID} went back to 2 from 4: reconnect`);
    // The library's follower reconnected, and its lookup told it where the log is now.
    await eventually(() => live.rewound.length === 1, 30_000, 'the live client told the log went back');
    expect(live.rewound).toEqual([[2, 4]]);
    // tail --follow says so in one line and exits 1, rather than waiting for ever.
    expect((await tail.done).code).toBe(1);
    expect(tail.stderr).toContain(`its log went back from 4 to 2 entries`);

    await append(ID, ['new2', 'new3', 'new4']);
    await append(OTHER, ['other1']);
    await eventually(() => live.seen.length === 7, 30_000, 'the new entries');
    expect(live.seen).toEqual(['0 kept0', '1 kept1', '2 gone2', '3 gone3', '2 new2', '3 new3', '4 new4']);
    // The raw follower's own reconnect reads the log as Redis has it.
    const again = await follower(ID, 2);
    await eventually(() => lines(again, ID).length === 3, 30_000, 'the log from its new end');
    expect(lines(again, ID)).toEqual(['2 new2', '3 new3', '4 new4']);
    // The other follower was not closed, and missed nothing.
    await eventually(() => lines(other, OTHER).length === 2, 30_000, 'the other log going on');
    expect(other.closeCode).toBeNull();
    expect(lines(other, OTHER)).toEqual(['0 other0', '1 other1']);
    expect(errors(raw).filter((message) => message.startsWith('subscribe-log'))).toEqual([]);
  });

  it('refuses a follower whose session Redis lost as not found, and says once that its server session was lost', async () => {
    const before = (await (await fetch(`${replica.url}/sessions`)).json()).serverSessionId as string;
    expect((await create(ID)).status).toBe(201);
    await append(ID, ['a', 'b']);
    const raw = await follower(ID);
    await eventually(() => lines(raw, ID).length === 2, 30_000, 'the backlog');

    await goBack('empty');
    const refusal = formatSubscribeLogRefusal({ id: ID, reason: 'not found' });
    await eventually(() => errors(raw).includes(refusal), 30_000, 'the refusal');
    expect(raw.closeCode).toBeNull();

    // The replica makes itself another server session (within 5 s), and its heartbeat (every 10 s)
    // finds the old one gone too: one line says so.
    await eventually(
      async () => {
        const listing = await fetch(`${replica.url}/sessions`);
        return listing.status === 200 && (await listing.json()).serverSessionId !== before;
      },
      30_000,
      'another server session',
    );
    await new Promise((done) => setTimeout(done, 12_000));
    const told = replica.output.split('\n').filter((line) => line.includes(`server session ${before} is no longer`));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(
      `the server session ${before} is no longer in the session store (its data was lost); creating another`,
    );
  });
});
