import { Session, SessionList } from '@zen/contract';
import { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { BuiltServer, Child, eventually, freePort, JSON_HEADERS, launchChromium, RedisServer } from '@zen/testing';
import { screenshot } from './browser';
import { ScaleOut, startScaleOut, startScaleOutNginx } from './nginx';

const ID = 'fa11fa11fa11fa11fa11fa11';

/**
 * The built product scaled out as deploy/ describes it: two replicas on one real
 * redis-server behind a real nginx (round-robin, WebSockets proxied), a dashboard in
 * Chromium on one of them.
 */
describe('two replicas on one Redis behind nginx (built server, deploy/scale-out)', () => {
  let redis: RedisServer;
  let ports: number[];
  let replicas: BuiltServer[];
  let nginx: Child;
  let proxy: string;
  let browser: Browser;
  const env = () => ({
    LOG_STORE: 'redis',
    REDIS_URL: redis.url,
    BASE_PATH: '/zen',
    TRUST_PROXY: 'loopback',
    SESSIONS_WS_INTERVAL_MS: '250',
  });
  const direct = (replica: number, path: string, init?: RequestInit) =>
    fetch(`http://127.0.0.1:${ports[replica]}/zen/${path}`, init);
  const appendText = (replica: number, lines: string[]) =>
    direct(replica, `sessions/${ID}/log`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: lines.join('\n'),
    });

  beforeAll(async () => {
    redis = await RedisServer.start();
    ports = [await freePort(), await freePort()];
    replicas = [await BuiltServer.start(env(), ports[0]), await BuiltServer.start(env(), ports[1])];
    const proxyPort = await freePort();
    nginx = await startScaleOutNginx(proxyPort, ports);
    proxy = `http://127.0.0.1:${proxyPort}/zen`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await nginx?.stop();
    for (const replica of replicas ?? []) await replica.stop();
    await redis?.close();
  });

  it('appends through one replica to a session created through the other; nginx spreads requests over both', async () => {
    expect(
      (await direct(0, `sessions/${ID}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"farm"}' })).status,
    ).toBe(201);
    expect(await (await appendText(1, ['through replica 1'])).json()).toEqual({ appended: 1, cursor: 1 });
    const answeredBy = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const res = await fetch(`${proxy}/sessions/${ID}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: `through nginx ${i}`,
      });
      expect(await res.json()).toEqual({ appended: 1, cursor: 2 + i });
    }
    for (let i = 0; i < 5; i++) {
      answeredBy.add(((await (await fetch(`${proxy}/sessions/`)).json()) as SessionList).serverSessionId);
    }
    // Round-robin: both replicas answered, each naming its own server session.
    expect(answeredBy.size).toBe(2);
    const log = await (await fetch(`${proxy}/sessions/${ID}/log`)).json();
    expect(log.entries.map((entry: { seq: number }) => entry.seq)).toEqual(Array.from({ length: 11 }, (_, i) => i));
  });

  it("answers a body past nginx's own limit (client_max_body_size) in the error shape, not nginx's page", async () => {
    // 3 MiB: past the scale-out location's 2 MiB, which nginx answers itself, whichever replica is next.
    const tooLarge = await fetch(`${proxy}/sessions/${ID}`, {
      method: 'PUT',
      headers: JSON_HEADERS,
      body: JSON.stringify({ mode: 'x'.repeat(3 * 1024 * 1024) }),
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await tooLarge.json()).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: 'request body is larger than the reverse proxy accepts (nginx client_max_body_size)',
    });
  });

  it("passes a log read whose request line is past nginx's default 8k (a long filter) to a replica", async () => {
    const long = `long ${'z'.repeat(12 * 1024)}`;
    const id = 'a7a7a7a7a7a7a7a7a7a7a7a7';
    expect(
      (await direct(0, `sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"farm"}' })).status,
    ).toBe(201);
    await fetch(`${proxy}/sessions/${id}/log`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: `short\n${long}`,
    });
    const read = await fetch(`${proxy}/sessions/${id}/log?q=${long}`);
    expect(read.status).toBe(200);
    const { entries } = (await read.json()) as { entries: { message: string }[] };
    expect(entries.map((entry) => entry.message)).toEqual([long]);
  });

  it('shows, in a dashboard connected to one replica, entries appended through the other', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`http://127.0.0.1:${ports[0]}/zen/dashboard/sessions/${ID}`);
      await page.getByTestId('connection').getByText('Live').waitFor();
      await appendText(1, ['Cooked on replica 1']);
      await page.getByTestId('log-rows').getByText('Cooked on replica 1').waitFor({ timeout: 10_000 });
      await screenshot(page, 'replicas-dashboard');
    } finally {
      await page.close();
    }
  });

  it('keeps the session and its log when both replicas restart', async () => {
    const before = (await (await fetch(`${proxy}/sessions/${ID}`)).json()) as Session;
    // One stopped as a service manager does (SIGTERM), one as Ctrl+C in its terminal does (SIGINT).
    expect([await replicas[0].stop('SIGTERM'), await replicas[1].stop('SIGINT')]).toEqual([0, 0]);
    replicas = [await BuiltServer.start(env(), ports[0]), await BuiltServer.start(env(), ports[1])];
    for (const replica of [0, 1]) {
      const after = (await (await direct(replica, `sessions/${ID}`)).json()) as Session;
      expect(after).toMatchObject({ status: 'active', logCount: before.logCount, logCursor: before.logCursor });
      const log = await (await direct(replica, `sessions/${ID}/log`)).json();
      expect(log.entries.map((entry: { message: string }) => entry.message)).toContain('Cooked on replica 1');
    }
    // The stopped replicas' server sessions ended as "stopped", on either signal.
    const ended = ((await (await fetch(`${proxy}/sessions/?status=ended`)).json()) as SessionList).sessions;
    expect(ended.filter((session) => session.appname === 'zenserver').map((session) => session.endReason)).toEqual([
      'stopped',
      'stopped',
    ]);
  });

  it("passes the replicas' JSON 503 on while Redis is away, and serves again once they are ready", async () => {
    await redis.stop();
    try {
      // nginx must not count these as failed replicas: with every replica answering 503 it
      // would take them all out and answer its own 502 page until fail_timeout ran out.
      for (let i = 0; i < 6; i++) {
        const res = await fetch(`${proxy}/sessions/${ID}`);
        expect([res.status, res.headers.get('content-type')]).toEqual([
          503,
          expect.stringContaining('application/json'),
        ]);
        expect(((await res.json()) as { message: string }).message).toMatch(/^the session store/);
      }
    } finally {
      await redis.restart();
    }
    await eventually(
      async () => (await direct(0, 'health/ready')).status === 200 && (await direct(1, 'health/ready')).status === 200,
      15_000,
      'both replicas ready',
    );
    for (let i = 0; i < 4; i++) expect((await fetch(`${proxy}/sessions/${ID}`)).status).toBe(200);
  });

  it('resumes a follower on another replica after one is killed, which the others end as expired after 30 s', async () => {
    const killedServer = ((await (await direct(1, 'sessions/')).json()) as SessionList).serverSessionId;
    const { logCursor } = (await (await direct(0, `sessions/${ID}`)).json()) as Session;
    // A follower on replica 1 at the log's end.
    const seen: number[] = [];
    const follow = (replica: number, cursor: number) => {
      const ws = new WebSocket(`ws://127.0.0.1:${ports[replica]}/zen/sessions/ws`);
      ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString());
        if (frame.event === 'log') seen.push(...frame.data.entries.map((entry: { seq: number }) => entry.seq));
      });
      ws.on('open', () => ws.send(JSON.stringify({ event: 'subscribe-log', data: { id: ID, cursor } })));
      return ws;
    };
    const first = follow(1, logCursor);
    const closed = new Promise((done) => first.once('close', done));
    await appendText(0, ['before the kill']);
    await eventually(() => expect(seen).toHaveLength(1), 15_000);

    const killedAt = Date.now();
    await replicas[1].stop('SIGKILL');
    await closed;
    await appendText(0, ['while reconnecting']);
    // The client reconnects to the other replica and resumes from its cursor.
    const second = follow(0, logCursor + seen.length);
    await appendText(0, ['after the reconnect']);
    await eventually(() => expect(seen).toHaveLength(3), 15_000);
    expect(seen).toEqual([logCursor, logCursor + 1, logCursor + 2]);
    second.close();

    await eventually(async () => {
      const session = (await (await direct(0, `sessions/${killedServer}`)).json()) as Session;
      expect(session.status).toBe('ended');
    }, 60_000);
    const expired = (await (await direct(0, `sessions/${killedServer}`)).json()) as Session;
    expect(expired.endReason).toBe('expired');
    // Not before 30 s of silence: its last heartbeat (every 10 s) came at most 10 s before the kill.
    expect(Date.parse(expired.ended as string) - killedAt).toBeGreaterThanOrEqual(20_000);
    replicas[1] = await BuiltServer.start(env(), ports[1]);
  }, 120_000);
});

/**
 * A rolling restart as an operator does it: each replica in turn gets SIGTERM and is started
 * again, the next one as soon as the last is ready, while a client appends through nginx and a
 * WebSocket follower follows through nginx, reconnecting when its replica goes.
 */
describe('a rolling restart of two replicas behind nginx (built server, deploy/scale-out)', () => {
  let scaleOut: ScaleOut | undefined;

  afterAll(() => scaleOut?.stop());

  it('answers every append, loses and repeats no entry for a follower, and ends each old server session as stopped', async () => {
    scaleOut = await startScaleOut();
    const { replicas, proxied: proxy } = scaleOut;
    const oldServers: string[] = [];
    for (const replica of replicas) {
      oldServers.push(((await (await fetch(`${replica.url}/sessions/`)).json()) as SessionList).serverSessionId);
    }
    const { id } = (await (
      await fetch(`${proxy}/sessions/`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"rolling"}' })
    ).json()) as Session;

    // A client appending one line after another, through nginx.
    const refused: string[] = [];
    let appended = 0;
    let appending = true;
    const appender = (async () => {
      while (appending) {
        const res = await fetch(`${proxy}/sessions/${id}/log`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: `line ${appended}`,
        });
        const body = await res.text();
        if (res.status === 200) appended++;
        else refused.push(`${res.status} ${body.slice(0, 200)}`);
        await new Promise((done) => setTimeout(done, 5));
      }
    })();
    // A follower through nginx that resubscribes from its cursor whenever its connection closes.
    const seen: number[] = [];
    let following = true;
    let current: WebSocket | undefined;
    const follow = () => {
      const ws = new WebSocket(`${proxy.replace(/^http/, 'ws')}/sessions/ws`);
      current = ws;
      ws.on('open', () => ws.send(JSON.stringify({ event: 'subscribe-log', data: { id, cursor: seen.length } })));
      ws.on('message', (raw) => {
        const frame = JSON.parse(raw.toString());
        if (frame.event === 'log') seen.push(...frame.data.entries.map((entry: { seq: number }) => entry.seq));
      });
      ws.on('error', () => undefined);
      ws.on('close', () => following && setTimeout(follow, 50));
    };
    follow();
    await eventually(() => seen.length > 0, 15_000, 'the first entry followed');

    for (const replica of replicas) {
      expect(await replica.stop()).toBe(0);
      await replica.restart();
    }
    const before = appended;
    await eventually(() => appended > before + 20, 15_000, 'appends after the restart');
    appending = false;
    await appender;

    expect({ refused: refused.length, first: refused.slice(0, 2) }).toEqual({ refused: 0, first: [] });
    await eventually(() => seen.length >= appended, 15_000, 'the follower to catch up');
    following = false;
    current?.close();
    expect(seen).toEqual(Array.from({ length: appended }, (_, seq) => seq));
    for (const server of oldServers) {
      expect(await (await fetch(`${proxy}/sessions/${server}`)).json()).toMatchObject({
        status: 'ended',
        endReason: 'stopped',
      });
    }
  }, 120_000);
});
