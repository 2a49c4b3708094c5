import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { nodeFetch } from './node-fetch';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

describe('nodeFetch against a real node:http server', () => {
  let server: Server;
  let base: string;
  let received: Received[];
  let answer: (res: ServerResponse) => void;

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks),
        });
        answer(res);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));
  beforeEach(() => {
    received = [];
    answer = (res) => res.end();
  });

  it('sends the method, headers and a byte body as they are, with its length', async () => {
    const body = new Uint8Array(Buffer.from('{"entries":[{"message":"é"}]}'));
    await nodeFetch(`${base}/sessions/x/log?a=1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
      body,
    });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/sessions/x/log?a=1' });
    expect(received[0].headers).toMatchObject({
      'content-type': 'application/json',
      authorization: 'Bearer t',
      'content-length': String(body.length),
    });
    expect(received[0].body.equals(body)).toBe(true);
  });

  it('sends a string body as UTF-8', async () => {
    await nodeFetch(`${base}/`, { method: 'POST', body: 'héllo' });
    expect(received[0].body.toString('utf8')).toBe('héllo');
    expect(received[0].headers['content-length']).toBe('6');
  });

  it('answers with the status, the headers and the body of the response', async () => {
    answer = (res) => {
      res.statusCode = 429;
      res.setHeader('retry-after', '3');
      res.setHeader('content-type', 'application/json');
      res.end('{"message":"slow down"}');
    };
    const response = await nodeFetch(`${base}/`);
    expect(response.status).toBe(429);
    expect(response.ok).toBe(false);
    expect(response.headers.get('retry-after')).toBe('3');
    expect(await response.json()).toEqual({ message: 'slow down' });
  });

  it('streams the body: the first part is readable before the rest is sent', async () => {
    let finish = () => undefined as void;
    answer = (res) => {
      res.write('first\n');
      finish = () => res.end('second\n');
    };
    const response = await nodeFetch(`${base}/`);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(Buffer.from((await reader.read()).value as Uint8Array).toString()).toBe('first\n');
    finish();
    expect(Buffer.from((await reader.read()).value as Uint8Array).toString()).toBe('second\n');
    expect((await reader.read()).done).toBe(true);
  });

  it('answers a 204 with no body', async () => {
    answer = (res) => {
      res.statusCode = 204;
      res.end();
    };
    const response = await nodeFetch(`${base}/`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('rejects when nothing listens', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(nodeFetch(`http://127.0.0.1:${port}/`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('rejects with the reason when its signal aborts, before or during the request', async () => {
    answer = () => undefined; // never answers
    const during = new AbortController();
    const pending = nodeFetch(`${base}/`, { signal: during.signal });
    setTimeout(() => during.abort(new Error('stopped')), 20);
    await expect(pending).rejects.toThrow('stopped');
    await expect(nodeFetch(`${base}/`, { signal: AbortSignal.abort(new Error('never sent')) })).rejects.toThrow(
      'never sent',
    );
  });

  it('takes only a URL, and only string or byte bodies', async () => {
    await expect(nodeFetch(new Request(`${base}/`))).rejects.toThrow('takes a URL');
    await expect(nodeFetch(`${base}/`, { method: 'POST', body: new Blob(['x']) })).rejects.toThrow('string and byte');
  });
});
