import { createServer, Server } from 'node:http';
import { join } from 'node:path';
import type { LogCursorPage } from '@zen/contract';
import type * as Zen from '@zen/client';
import { Browser, Page } from 'playwright-core';
import {
  BuiltServer,
  bundleForBrowser,
  eventually,
  freePort,
  JSON_HEADERS,
  launchChromium,
  RedisServer,
  REPO,
} from '@zen/testing';

const WRITE_TOKEN = 'browser-write-token';

/** The page's global the test page sets: the library as a web app bundles it. */
type ZenWindow = { zen: typeof Zen };

/**
 * `@zen/client` as browser code uses it: bundled for the browser (esbuild), served from another
 * origin than the API (so CORS applies: `CORS_ORIGINS`), driven in Chromium against the built
 * server, with `AUTH_TOKEN` set (so writes carry an `Authorization` header and are preflighted).
 */
describe('@zen/client in a Chromium page on another origin than the API', () => {
  let server: BuiltServer;
  let pages: Server;
  let origin: string;
  let browser: Browser;

  beforeAll(async () => {
    const client = bundleForBrowser(join(REPO, 'libs/client/src/index.ts'));
    const files: Record<string, [string, string]> = {
      '/': [
        'text/html',
        '<!doctype html><title>app</title><script type="module">import * as zen from "/client.js"; window.zen = zen;</script>',
      ],
      '/client.js': ['text/javascript', client],
      '/elsewhere': ['text/html', '<!doctype html><title>elsewhere</title>'],
    };
    pages = createServer((req, res) => {
      const file = files[(req.url ?? '/').split('?')[0]];
      if (!file) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
    });
    const port = await freePort();
    await new Promise<void>((listening) => pages.listen(port, '127.0.0.1', listening));
    origin = `http://127.0.0.1:${port}`;
    server = await BuiltServer.start({ CORS_ORIGINS: origin, AUTH_TOKEN: WRITE_TOKEN, MAX_APPEND_ENTRIES_PER_S: '10' });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await new Promise((closed) => pages?.close(closed));
  });

  /** A new page of the app, the library loaded. */
  async function appPage(): Promise<Page> {
    const page = await browser.newPage();
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => 'zen' in window);
    return page;
  }

  /** The messages of a session's log, read from the test (none while it does not exist). */
  async function messages(id: string): Promise<string[]> {
    const answer = await fetch(`${server.url}/sessions/${id}/log?cursor=0`);
    if (answer.status === 404) return [];
    return ((await answer.json()) as LogCursorPage).entries.map((entry) => entry.message);
  }

  it('calls the REST API cross-origin, with the server’s errors, Retry-After and the log’s headers readable', async () => {
    const page = await appPage();
    const seen = await page.evaluate(
      async ({ server, token }) => {
        const { SessionsClient, ApiError } = (window as unknown as ZenWindow).zen;
        const rest = new SessionsClient({ server, token });
        const { id } = await rest.sessions.create({ appname: 'browser-rest' });
        const refusal = async (call: () => Promise<unknown>) => {
          try {
            await call();
            return null;
          } catch (error) {
            if (!(error instanceof ApiError)) throw error;
            return { status: error.status, message: error.message, retryAfterMs: error.retryAfterMs };
          }
        };
        const unauthorized = await refusal(() => new SessionsClient({ server }).sessions.create({ appname: 'x' }));
        // Past MAX_APPEND_ENTRIES_PER_S: refused with 429 and Retry-After within a few batches.
        const append = () =>
          rest.logs.append(
            id,
            Array.from({ length: 10 }, (_, i) => ({ message: `m${i}` })),
          );
        let limited = null;
        for (let batch = 0; batch < 5 && !limited; batch++) limited = await refusal(append);
        const download = await rest.logs.download(id, 'text');
        const read = await rest.logs.read(id, { cursor: 0 });
        return { unauthorized, limited, cursor: download.cursor, total: download.total, read: read.cursor };
      },
      { server: server.url, token: WRITE_TOKEN },
    );
    expect(seen.unauthorized).toMatchObject({ status: 401, message: expect.stringMatching(/token/) });
    expect(seen.limited).toMatchObject({ status: 429, retryAfterMs: expect.any(Number) });
    expect(seen.limited?.retryAfterMs).toBeGreaterThan(0);
    expect(seen.cursor).toBeGreaterThanOrEqual(10);
    expect(seen).toMatchObject({ total: seen.cursor, read: seen.cursor });
    await page.close();
  });

  it('tells, when the API’s CORS does not allow the page’s origin, that CORS_ORIGINS may be why', async () => {
    // The same page by another name: another origin, not in CORS_ORIGINS.
    const page = await browser.newPage();
    const elsewhere = origin.replace('127.0.0.1', 'localhost');
    await page.goto(`${elsewhere}/`);
    await page.waitForFunction(() => 'zen' in window);
    const refused = await page.evaluate(async (server) => {
      const { SessionsClient } = (window as unknown as ZenWindow).zen;
      try {
        await new SessionsClient({ server, timeoutMs: 10_000 }).sessions.list();
        return null;
      } catch (error) {
        return { name: (error as Error).name, message: (error as Error).message };
      }
    }, server.url);
    expect(refused).toEqual({
      name: 'NetworkError',
      message: `cannot reach ${server.url}/sessions/?status=active: Failed to fetch (or its CORS does not allow this page: a browser tells a script both alike; is ${elsewhere} in the server's CORS_ORIGINS?)`,
    });
    await page.close();
  });

  it('follows a log over the browser’s WebSocket through a server killed and restarted, every entry once, in order', async () => {
    const redis = await RedisServer.start();
    const durable = await BuiltServer.start({ CORS_ORIGINS: origin, LOG_STORE: 'redis', REDIS_URL: redis.url });
    const page = await appPage();
    try {
      const { id } = await (
        await fetch(`${durable.url}/sessions/`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: '{"appname":"followed"}',
        })
      ).json();
      const append = async (from: number) => {
        const entries = Array.from({ length: 5 }, (_, i) => ({ message: `m${from + i}` }));
        const answer = await fetch(`${durable.url}/sessions/${id}/log`, {
          method: 'POST',
          headers: JSON_HEADERS,
          body: JSON.stringify({ entries }),
        });
        expect(answer.status).toBe(200);
      };
      await page.evaluate(
        ({ server, id }) => {
          const { LiveClient } = (window as unknown as ZenWindow).zen;
          const seen = { messages: [] as string[], connection: [] as string[] };
          Object.assign(window, { seen });
          new LiveClient({
            server,
            reconnectMaxMs: 500,
            onConnection: (state) => seen.connection.push(state),
          }).followLog(id, 0, { onEntries: (entries) => seen.messages.push(...entries.map((entry) => entry.message)) });
        },
        { server: durable.url, id },
      );
      const seen = () =>
        page.evaluate(() => (window as unknown as { seen: { messages: string[]; connection: string[] } }).seen);
      const upTo = (count: number) => Array.from({ length: count }, (_, i) => `m${i}`);
      await append(0);
      await eventually(async () => expect((await seen()).messages).toEqual(upTo(5)));
      // A crash: appended while the client is away, read from its cursor once it is back.
      await durable.stop('SIGKILL');
      await durable.restart();
      await append(5);
      await eventually(async () => expect((await seen()).messages).toEqual(upTo(10)));
      // A graceful restart: appended once the client is back.
      await durable.restart();
      await eventually(async () => {
        const { connection } = await seen();
        expect([connection.filter((state) => state === 'open').length, connection.at(-1)]).toEqual([3, 'open']);
      });
      await append(10);
      await eventually(async () => expect((await seen()).messages).toEqual(upTo(15)));
    } finally {
      await page.close();
      await durable.stop();
      await redis.close();
    }
  });

  it('has a page’s session logger preflighted once for its heartbeats, not every 5 s (Access-Control-Max-Age)', async () => {
    const preflights = async () => {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      return metrics
        .split('\n')
        .filter((line) => line.startsWith('zen_http_request_duration_seconds_count{method="OPTIONS"'))
        .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
    };
    const before = await preflights();
    const page = await appPage();
    await page.evaluate(
      ({ server, token }) => {
        const { createSessionLogger } = (window as unknown as ZenWindow).zen;
        const heartbeats = { count: 0 };
        Object.assign(window, { heartbeats });
        // Counted as they are answered: one a second, past Chromium's default of 5 s for a preflight.
        const counting: typeof fetch = async (input, init) => {
          const answer = await fetch(input, init);
          if (init?.method === 'POST' && init.body === undefined && answer.ok) heartbeats.count++;
          return answer;
        };
        createSessionLogger({ server, token, appname: 'browser-heartbeats', heartbeatMs: 1_000, fetch: counting });
      },
      { server: server.url, token: WRITE_TOKEN },
    );
    await page.waitForFunction(
      () => (window as unknown as { heartbeats: { count: number } }).heartbeats.count >= 8,
      null,
      {
        timeout: 30_000,
      },
    );
    // The create's preflight, kept for the heartbeats to the same URL.
    expect((await preflights()) - before).toBe(1);
    await page.close();
  });

  /** A logger in `page` whose session is open, holding `message` (its batch not due for a minute). */
  async function loggerHolding(page: Page, appname: string, message: string): Promise<string> {
    return page.evaluate(
      async ({ server, token, appname, message }) => {
        const { createSessionLogger } = (window as unknown as ZenWindow).zen;
        const log = createSessionLogger({ server, token, appname, flushIntervalMs: 60_000 });
        (window as unknown as { log: unknown }).log = log;
        log.info('opened');
        await log.flush();
        log.info(message);
        return log.id;
      },
      { server: server.url, token: WRITE_TOKEN, appname, message },
    );
  }

  it('has a session logger send what it held when the page navigates away', async () => {
    const page = await appPage();
    const id = await loggerHolding(page, 'browser-navigate', 'logged just before leaving');
    await page.goto(`${origin}/elsewhere`);
    await eventually(async () => expect(await messages(id)).toEqual(['opened', 'logged just before leaving']));
    await page.close();
  });

  it('has a session logger send what it holds at once when the page is hidden', async () => {
    const page = await appPage();
    const id = await loggerHolding(page, 'browser-hidden', 'logged before the tab was switched');
    // As Chromium tells a page whose tab is switched away from or minimised (a headless page stays visible).
    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { value: 'hidden', configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await eventually(async () => expect(await messages(id)).toEqual(['opened', 'logged before the tab was switched']));
    await page.close();
  });

  it('has a session logger send what it held when its tab is closed', async () => {
    const page = await appPage();
    const id = await loggerHolding(page, 'browser-close', 'logged just before closing');
    await page.close({ runBeforeUnload: true });
    await eventually(async () => expect(await messages(id)).toEqual(['opened', 'logged just before closing']));
  });
});
