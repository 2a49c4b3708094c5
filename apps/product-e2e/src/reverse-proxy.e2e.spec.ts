import { LogEventData, Session, SessionList } from '@zen/contract';
import { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { BuiltServer, Child, eventually, JSON_HEADERS, launchChromium } from '@zen/testing';
import { screenshot } from './browser';
import { startBehindNginx } from './nginx';

const ID = 'e4e4e4e4e4e4e4e4e4e4e4e4';

describe('behind a real nginx at /zen/ (deploy/nginx)', () => {
  let server: BuiltServer;
  let nginx: Child;
  let proxied: string;

  beforeAll(async () => ({ server, nginx, proxied } = await startBehindNginx({ SESSIONS_WS_INTERVAL_MS: '200' })));

  afterAll(async () => {
    await nginx?.stop();
    await server?.stop();
  });

  it('serves the REST API, recording the client address from X-Forwarded-For', async () => {
    const created = await fetch(`${proxied}/sessions/${ID}`, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'x-forwarded-for': '198.51.100.23' },
      body: '{"appname":"BuildAgent","metadata":{"pool":"farm"}}',
    });
    expect(created.status).toBe(201);
    // nginx appends the address it saw; the service trusts the loopback proxy and takes the client's.
    expect((await created.json()).clientAddress).toBe('198.51.100.23');
    const list = (await (await fetch(`${proxied}/sessions/`)).json()) as SessionList;
    expect(list.sessions.map((session) => session.id)).toContain(ID);
  });

  it('streams log downloads and passes error answers through', async () => {
    const lines = Array.from({ length: 2000 }, (_, i) => `line ${i}`).join('\n');
    const append = await fetch(`${proxied}/sessions/${ID}/log`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: lines,
    });
    expect(await append.json()).toMatchObject({ appended: 2000 });
    const download = await fetch(`${proxied}/sessions/${ID}/log?format=text&limit=10000&cursor=0`);
    expect(download.headers.get('x-log-cursor')).toBe('2000');
    expect((await download.text()).trimEnd().split('\n')).toHaveLength(2000);
    const tooLarge = await fetch(`${proxied}/sessions/${ID}/log`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'x'.repeat(1024 * 1024 + 1),
    });
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ statusCode: 413 });
  });

  it("answers a body past nginx's own limit (client_max_body_size) in the error shape, not nginx's page, appending nothing", async () => {
    const before = ((await (await fetch(`${proxied}/sessions/${ID}`)).json()) as Session).logCursor;
    // 3 MiB: past nginx's 2 MiB, which answers before the service sees the request; declared
    // (Content-Length) and streamed (chunked, nginx counts as it reads).
    const text = 'x'.repeat(3 * 1024 * 1024);
    const streamed = () => new Blob([text]).stream();
    for (const body of [text, streamed()]) {
      const tooLarge = await fetch(`${proxied}/sessions/${ID}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(tooLarge.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await tooLarge.json()).toEqual({
        statusCode: 413,
        error: 'Payload Too Large',
        message: 'request body is larger than the reverse proxy accepts (nginx client_max_body_size)',
      });
    }
    expect(((await (await fetch(`${proxied}/sessions/${ID}`)).json()) as Session).logCursor).toBe(before);
  });

  it("passes a log read whose request line is past nginx's default 8k (a long filter) to the service", async () => {
    // 12 KiB of filter: with nginx's default large_client_header_buffers (8k), nginx's own HTML 414.
    const long = `long ${'z'.repeat(12 * 1024)}`;
    const session = `${proxied}/sessions/e6e6e6e6e6e6e6e6e6e6e6e6`;
    await fetch(session, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"Cook"}' });
    await fetch(`${session}/log`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: `short\n${long}`,
    });
    const read = await fetch(`${session}/log?q=${long}`);
    expect(read.status).toBe(200);
    const { entries } = (await read.json()) as { entries: { message: string }[] };
    expect(entries.map((entry) => entry.message)).toEqual([long]);
  });

  it('names the forwarded client, not the proxy, when a WebSocket client breaks the protocol', async () => {
    const ws = new WebSocket(`${proxied.replace('http', 'ws')}/sessions/ws`, {
      headers: { 'x-forwarded-for': '198.51.100.77' },
    });
    await new Promise((resolve) => ws.once('open', resolve));
    // A text frame that is not UTF-8: the server closes with 1007 and warns in its own session.
    ws.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
    await new Promise((resolve) => ws.once('close', resolve));
    const list = (await (await fetch(`${proxied}/sessions/`)).json()) as SessionList;
    await eventually(async () => {
      const log = await (
        await fetch(`${proxied}/sessions/${list.serverSessionId}/log?q=WebSocket%20client&limit=100`)
      ).json();
      expect(log.entries.map((entry: { message: string }) => entry.message)).toContainEqual(
        expect.stringMatching(/^WebSocket client 198\.51\.100\.77 closed/),
      );
    });
  });

  it('sends the bare prefix to /zen/ with its query, by a relative Location', async () => {
    // A link someone shortened by its slash, behind a front proxy whose host and port nginx does not know.
    const answer = await fetch(`${proxied}?line=3`, { redirect: 'manual' });
    expect(answer.status).toBe(301);
    expect(answer.headers.get('location')).toBe('/zen/?line=3');
  });

  it('upgrades the WebSocket and pushes appended entries to a subscriber', async () => {
    const ws = new WebSocket(`${proxied.replace('http', 'ws')}/sessions/ws`);
    const received: LogEventData[] = [];
    const gotLine = new Promise<void>((resolve) => {
      ws.on('message', (raw) => {
        const message = JSON.parse(raw.toString());
        if (message.event !== 'log') return;
        received.push(message.data);
        if (message.data.entries.some((entry: { message: string }) => entry.message === 'through the proxy')) resolve();
      });
    });
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ event: 'subscribe-log', data: { id: ID, cursor: 2000 } }));
    await fetch(`${proxied}/sessions/${ID}/log`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"message":"through the proxy"}',
    });
    await gotLine;
    expect(received.flatMap((event) => event.entries.map((entry) => entry.seq))).toEqual([2000]);
    ws.close();
  });

  describe('the dashboard in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(() => browser?.close());

    it('loads under /zen/, shows the server session and takes live updates over the proxied WebSocket', async () => {
      const page = await browser.newPage();
      const failed: string[] = [];
      page.on('response', (res) => res.status() >= 400 && failed.push(`${res.status()} ${res.url()}`));
      await page.goto(`${proxied}/`);
      expect(page.url()).toBe(`${proxied}/dashboard/`);
      const { serverSessionId } = (await (await fetch(`${proxied}/sessions/`)).json()) as SessionList;
      await page.waitForFunction((id) => location.pathname.endsWith(`/sessions/${id}`), serverSessionId, {
        timeout: 15_000,
      });
      await page.getByText('zenserver').first().waitFor({ timeout: 15_000 });
      // The page's WebSocket passes the server's Origin check behind `Host $host` (the name without
      // nginx's port): Live, and a session created afterwards is shown without a reload.
      await page.getByTestId('connection').getByText('Live').waitFor({ timeout: 15_000 });
      const created = 'e5e5e5e5e5e5e5e5e5e5e5e5';
      await fetch(`${proxied}/sessions/${created}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ appname: 'BehindNginx' }),
      });
      await page.locator(`tr[data-session-id="${created}"]`).waitFor({ timeout: 15_000 });
      await screenshot(page, 'dashboard-behind-nginx');
      expect(failed).toEqual([]);
    });
  });
});

describe('behind nginx at /zen/ with tokens and TRUST_PROXY, as a studio deploys it', () => {
  let server: BuiltServer;
  let nginx: Child;
  let proxied: string;
  const WRITE = { authorization: 'Bearer proxy-write-1' };

  beforeAll(async () => {
    ({ server, nginx, proxied } = await startBehindNginx({
      AUTH_TOKEN: 'proxy-write-1',
      AUTH_READ_TOKEN: 'proxy-read-1',
      MAX_CLIENT_APPEND_ENTRIES_PER_S: '100',
    }));
  });

  afterAll(async () => {
    await nginx?.stop();
    await server?.stop();
  });

  it('gives each forwarded client its own append budget, as it records each one', async () => {
    const append = (id: string, client: string) =>
      fetch(`${proxied}/sessions/${id}/log`, {
        method: 'POST',
        headers: { ...WRITE, 'content-type': 'text/plain', 'x-forwarded-for': client },
        body: Array.from({ length: 1000 }, (_, i) => `line ${i}`).join('\n'),
      });
    for (const id of [ID, ID.replace(/e/g, 'f')]) {
      const created = await fetch(`${proxied}/sessions/${id}`, {
        method: 'POST',
        headers: { ...WRITE, ...JSON_HEADERS },
        body: '{"appname":"agent"}',
      });
      expect(created.headers.get('location')).toBe(`/zen/sessions/${id}`);
    }
    expect((await append(ID, '198.51.100.31')).status).toBe(200);
    expect((await append(ID.replace(/e/g, 'f'), '198.51.100.32')).status).toBe(200);
    expect((await append(ID.replace(/e/g, 'f'), '198.51.100.31')).status).toBe(429);
  });

  it('tells the read token from a wrong one when it writes', async () => {
    const end = (token: string) =>
      fetch(`${proxied}/sessions/${ID}`, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    const readOnly = await end('proxy-read-1');
    expect(readOnly.status).toBe(401);
    expect(((await readOnly.json()) as { message: string }).message).toMatch(/may only read/);
    expect(((await (await end('proxy-wrong-1')).json()) as { message: string }).message).toMatch(
      /not one the server accepts/,
    );
  });
});
