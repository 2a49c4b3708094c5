import { ErrorResponse, LogCursorPage, Session } from '@zen/contract';
import { JSON_HEADERS, oid } from '@zen/testing';
import { IncomingMessage, request } from 'node:http';
import { RunningApp, startApp } from '../testing/running-app';

const TEXT = { 'content-type': 'text/plain' };
const lines = (count: number) => Array.from({ length: count }, (_, i) => `line ${i}`).join('\n');

describe('append rate limits (real HTTP server)', () => {
  let server: RunningApp;
  const create = (id: string) =>
    fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"flood"}' });
  const append = (id: string, body: string) =>
    fetch(`${server.url}/sessions/${id}/log`, { method: 'POST', headers: TEXT, body });
  const session = async (id: string) => (await (await fetch(`${server.url}/sessions/${id}`)).json()) as Session;

  afterEach(async () => {
    await server?.close();
    server = undefined as unknown as RunningApp;
  });

  it('is off by default', async () => {
    server = await startApp();
    await create(oid(1));
    for (let i = 0; i < 5; i++) expect((await append(oid(1), lines(1000))).status).toBe(200);
  });

  it('answers 429 with Retry-After and the error shape past MAX_APPEND_ENTRIES_PER_S, changing nothing', async () => {
    server = await startApp({ MAX_APPEND_ENTRIES_PER_S: '100' });
    await create(oid(1));
    await create(oid(2));
    // A batch over a second's worth gets in once and leaves its session 9 s in debt: the next
    // append is refused however slow this machine is.
    expect((await append(oid(1), lines(1000))).status).toBe(200);
    const before = await session(oid(1));
    const refused = await append(oid(1), lines(100));
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const body = (await refused.json()) as ErrorResponse;
    expect(body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringContaining('MAX_APPEND_ENTRIES_PER_S'),
    });
    const after = await session(oid(1));
    expect([after.logCount, after.logCursor]).toEqual([before.logCount, before.logCursor]);
    // Another session has its own budget: the flood does not spill over.
    expect((await append(oid(2), lines(100))).status).toBe(200);
    // An empty append (a sign of life) always passes.
    expect((await append(oid(1), '')).status).toBe(200);
    // One that declares a body is refused unread, whatever it holds: an empty batch too (README).
    const emptyBatch = await fetch(`${server.url}/sessions/${oid(1)}/log`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: '{"entries":[]}',
    });
    expect(emptyBatch.status).toBe(429);
  });

  it('refuses an append at an empty bucket before reading its body', async () => {
    server = await startApp({ MAX_APPEND_ENTRIES_PER_S: '100' });
    await create(oid(1));
    expect((await append(oid(1), lines(1000))).status).toBe(200); // 9 s in debt
    // Announce a body, send a few bytes of it and stop: only a server that answers before
    // reading the body answers at all.
    const req = request(`${server.url}/sessions/${oid(1)}/log`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', 'content-length': 50_000 },
      agent: false,
    });
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<IncomingMessage | 'no answer'>((resolve, reject) => {
      req.on('response', resolve);
      req.on('error', reject);
      timer = setTimeout(() => resolve('no answer'), 15_000);
    });
    req.write('line 0\nline 1\n');
    const res = await answered;
    clearTimeout(timer);
    if (res === 'no answer') {
      req.destroy();
      throw new Error('no answer within 15 s while the body was still unsent');
    }
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    req.destroy();
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: expect.stringContaining('MAX_APPEND_ENTRIES_PER_S'),
    });
    expect((await session(oid(1))).logCount).toBe(1000);
  });

  it('lets the session append again once its bucket refills, with seq still contiguous', async () => {
    server = await startApp({ MAX_APPEND_ENTRIES_PER_S: '50' });
    await create(oid(1));
    expect((await append(oid(1), lines(150))).status).toBe(200); // 2 s in debt
    const refused = await append(oid(1), lines(10));
    expect(refused.status).toBe(429);
    const wait = Number(refused.headers.get('retry-after'));
    await new Promise((resolve) => setTimeout(resolve, wait * 1000 + 200));
    expect((await append(oid(1), lines(10))).status).toBe(200);
    const page = (await (await fetch(`${server.url}/sessions/${oid(1)}/log`)).json()) as LogCursorPage;
    expect(page.entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 160 }, (_, i) => i));
  });

  it('limits a client address across its sessions with MAX_CLIENT_APPEND_ENTRIES_PER_S', async () => {
    server = await startApp({ MAX_CLIENT_APPEND_ENTRIES_PER_S: '100' });
    await create(oid(1));
    await create(oid(2));
    expect((await append(oid(1), lines(1000))).status).toBe(200);
    const refused = await append(oid(2), lines(1));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).not.toBeNull();
    expect(((await refused.json()) as ErrorResponse).message).toContain('MAX_CLIENT_APPEND_ENTRIES_PER_S');
    expect((await session(oid(2))).logCount).toBe(0);
  });

  it('counts the client X-Forwarded-For names behind a proxy TRUST_PROXY trusts, and only then', async () => {
    const from = (id: string, address: string) =>
      fetch(`${server.url}/sessions/${id}/log`, {
        method: 'POST',
        headers: { ...TEXT, 'x-forwarded-for': address },
        body: lines(1000),
      });
    server = await startApp({ MAX_CLIENT_APPEND_ENTRIES_PER_S: '100', TRUST_PROXY: 'loopback' });
    await create(oid(1));
    await create(oid(2));
    expect((await from(oid(1), '198.51.100.1')).status).toBe(200);
    // Sessions record 198.51.100.2 as their client: its budget is its own, not the proxy's.
    expect((await from(oid(2), '198.51.100.2')).status).toBe(200);
    expect((await from(oid(2), '198.51.100.1')).status).toBe(429);
    await server.close();
    // Without TRUST_PROXY a forged header names nobody: every append counts against the peer.
    server = await startApp({ MAX_CLIENT_APPEND_ENTRIES_PER_S: '100' });
    await create(oid(1));
    expect((await from(oid(1), '198.51.100.1')).status).toBe(200);
    expect((await from(oid(1), '198.51.100.2')).status).toBe(429);
  });

  it('refuses to start with a malformed limit', async () => {
    await expect(startApp({ MAX_APPEND_ENTRIES_PER_S: 'fast' })).rejects.toThrow(/MAX_APPEND_ENTRIES_PER_S/);
  });
});
