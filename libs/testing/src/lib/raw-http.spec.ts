import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { eventually } from './eventually';
import { pausedDownload, rawRequest } from './raw-http';

describe('rawRequest', () => {
  let server: Server;
  let url: string;
  let seen: { method?: string; headers: IncomingMessage['headers']; body: Buffer }[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        seen.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks) });
        res.setHeader('x-twice', ['one', 'two']);
        res.setHeader('content-type', 'application/json');
        res.end(req.url === '/bytes' ? Buffer.from([0xff, 0x7b]) : '{"answer":42}');
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => (seen = []));
  afterAll(() => new Promise((done) => server.close(done)));

  it('sends the method, headers and bytes exactly as given, even bytes that are not UTF-8', async () => {
    const body = Buffer.from([0xc3, 0x28, 0x00, 0xff]);
    const answer = await rawRequest(`${url}/x`, 'PATCH', { 'content-type': 'text/plain', 'x-n': 7 }, body);
    expect(answer.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('PATCH');
    expect(seen[0].headers).toMatchObject({ 'content-type': 'text/plain', 'x-n': '7' });
    expect(seen[0].body.equals(body)).toBe(true);
  });

  it('gives the status, headers as parsed and as named on the wire, the body as text, bytes and JSON', async () => {
    const answer = await rawRequest(`${url}/`, 'GET');
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headerNames.filter((name) => name === 'x-twice')).toHaveLength(2);
    expect(answer.body).toBe('{"answer":42}');
    expect(answer.json()).toEqual({ answer: 42 });
    const bytes = await rawRequest(`${url}/bytes`, 'GET');
    expect([...bytes.bytes]).toEqual([0xff, 0x7b]);
  });

  it('fails when nothing listens', async () => {
    await expect(rawRequest('http://127.0.0.1:1/', 'GET')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('pausedDownload', () => {
  /** More than the sockets' buffers hold: most of it waits on the reader while paused. */
  const SIZE = 32 * 1024 * 1024;
  let server: Server;
  let url: string;
  let requests: { headers: IncomingMessage['headers']; finished: boolean }[];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const request = { headers: req.headers, finished: false };
      requests.push(request);
      res.setHeader('content-length', SIZE);
      const body = Buffer.alloc(SIZE, 'x');
      if (req.url === '/cut') {
        res.write(body.subarray(0, 1024), () => res.destroy());
        return;
      }
      res.end(body, () => (request.finished = true));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => (requests = []));
  afterAll(() => new Promise((done) => server.close(done)));

  it('stops reading until whilePaused settles, then reads the whole answer; sends the headers given', async () => {
    let finishedWhilePaused: boolean | undefined;
    const answer = await pausedDownload(
      `${url}/big?x=1`,
      async () => {
        await eventually(() => requests.length === 1);
        finishedWhilePaused = requests[0].finished;
      },
      { Connection: 'close', 'X-Reader': 'slow' },
    );
    expect(finishedWhilePaused).toBe(false);
    expect(answer).toMatchObject({ status: 200, declaredLength: SIZE, bodyLength: SIZE, whole: true });
    expect(answer.head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(requests[0].headers).toMatchObject({ connection: 'close', 'x-reader': 'slow' });
  });

  it('tells an answer cut short: not whole', async () => {
    const answer = await pausedDownload(`${url}/cut`, async () => undefined);
    expect(answer).toMatchObject({ declaredLength: SIZE, whole: false });
    expect(answer.bodyLength).toBeLessThan(SIZE);
  });
});
