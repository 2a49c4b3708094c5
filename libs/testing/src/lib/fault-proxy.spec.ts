import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { FaultProxy } from './fault-proxy';

describe('FaultProxy', () => {
  let target: Server;
  let proxy: FaultProxy;
  let reached: string[];

  beforeAll(async () => {
    target = createServer((req, res) => {
      reached.push(`${req.method} ${req.url}`);
      if (req.url === '/limited') res.writeHead(429, { 'retry-after': '3' });
      req.pipe(res);
    });
    await new Promise<void>((done) => target.listen(0, '127.0.0.1', done));
    proxy = await FaultProxy.start(`http://127.0.0.1:${(target.address() as AddressInfo).port}`);
  });
  beforeEach(() => {
    reached = [];
    proxy.seen.length = 0;
    proxy.fault = () => null;
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise((done) => target.close(done));
  });

  it('passes requests on and records method, URL and body size', async () => {
    const answer = await fetch(`${proxy.url}/echo?x=1`, { method: 'POST', body: 'hello' });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe('hello');
    expect(reached).toEqual(['POST /echo?x=1']);
    expect(proxy.seen).toMatchObject([{ method: 'POST', url: '/echo?x=1', bytes: 5 }]);
  });

  it('answers the requests its fault picks itself, with the status and headers given', async () => {
    proxy.fault = (req) => (req.url === '/busy' ? { status: 429, headers: { 'retry-after': '2' } } : null);
    const busy = await fetch(`${proxy.url}/busy`, { method: 'POST', body: 'x' });
    expect(busy.status).toBe(429);
    expect(busy.headers.get('retry-after')).toBe('2');
    expect(await busy.json()).toMatchObject({ statusCode: 429 });
    expect((await fetch(`${proxy.url}/fine`)).status).toBe(200);
    expect(reached).toEqual(['GET /fine']);
    expect(proxy.seen.map((seen) => seen.url)).toEqual(['/busy', '/fine']);
  });

  it('picks a fault by the request s body too', async () => {
    proxy.fault = (_req, body) => (body.includes('poisoned') ? { status: 400 } : null);
    expect((await fetch(`${proxy.url}/echo`, { method: 'POST', body: 'a poisoned entry' })).status).toBe(400);
    expect((await fetch(`${proxy.url}/echo`, { method: 'POST', body: 'a fine entry' })).status).toBe(200);
    expect(reached).toEqual(['POST /echo']);
  });

  it('records each answer: its status, Retry-After and when it was sent, the server s or its own', async () => {
    proxy.fault = (req) => (req.url === '/busy' ? { status: 503, headers: { 'retry-after': '2' } } : null);
    const before = Date.now();
    await (await fetch(`${proxy.url}/limited`, { method: 'POST', body: 'x' })).text();
    await (await fetch(`${proxy.url}/busy`)).text();
    await (await fetch(`${proxy.url}/fine`)).text();
    expect(proxy.seen.map((seen) => seen.answer)).toEqual([
      { status: 429, retryAfter: '3', at: expect.any(Number) },
      { status: 503, retryAfter: '2', at: expect.any(Number) },
      { status: 200, retryAfter: null, at: expect.any(Number) },
    ]);
    for (const seen of proxy.seen) expect(seen.answer?.at).toBeGreaterThanOrEqual(Math.max(before, seen.at));
  });
});
