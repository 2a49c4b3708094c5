import { JSON_HEADERS, rawRequest } from '@zen/testing';
import { RunningApp, startApp } from '../testing/running-app';
import { API_HEADERS } from './security-headers';

const ID = 'c0ffeec0ffeec0ffeec0ffee';
const TEXT = { 'content-type': 'text/plain' };

// The log routes are raw routes, served by the pipeline without Express: these check that
// they get what the Express routes get (headers, auth, error shape) through the pipeline.
describe('HttpPipeline on the raw log routes', () => {
  describe('without tokens', () => {
    let server: RunningApp;
    beforeAll(async () => {
      server = await startApp();
      await fetch(`${server.url}/sessions/${ID}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: '{"appname":"lane"}',
      });
    });
    afterAll(() => server.close());

    it('sends the same security headers as the Express routes, on answers, downloads and errors', async () => {
      const viaExpress = await fetch(`${server.url}/sessions/${ID}`);
      const all: [string, string][] = [];
      viaExpress.headers.forEach((value, name) => all.push([name, value]));
      const security = all.filter(
        ([name]) => !/^(content-|date|connection|keep-alive)/.test(name) || name === 'content-security-policy',
      );
      expect(security.map(([name]) => name).sort()).toEqual(
        API_HEADERS.filter((_, i) => i % 2 === 0)
          .map((name) => name.toLowerCase())
          .sort(),
      );
      for (const path of [
        `/sessions/${ID}/log`,
        `/sessions/${ID}/log?format=text`,
        `/sessions/${'9'.repeat(24)}/log`,
      ]) {
        const viaLane = await fetch(`${server.url}${path}`);
        for (const [name, value] of security)
          expect([path, name, viaLane.headers.get(name)]).toEqual([path, name, value]);
      }
    });

    it('writes each header once, with the download figures and a Content-Length', async () => {
      const res = await rawRequest(`${server.url}/sessions/${ID}/log?format=ndjson`, 'GET');
      expect(res.headerNames).toEqual([...new Set(res.headerNames)]);
      expect(res.headers).toMatchObject({
        'x-log-cursor': expect.any(String),
        'x-log-dropped': '0',
        'content-length': String(Buffer.byteLength(res.body)),
      });
      expect(res.headers['content-type']).toContain('application/x-ndjson');
    });

    it('serves appends and reads, with or without a trailing slash, upper-case ids normalised', async () => {
      const append = await fetch(`${server.url}/sessions/${ID.toUpperCase()}/log/`, {
        method: 'POST',
        headers: TEXT,
        body: 'one\ntwo\n',
      });
      expect(append.status).toBe(200);
      expect(await append.json()).toEqual({ appended: 2, cursor: 2 });
      const read = await fetch(`${server.url}/sessions/${ID}/log/?cursor=1`);
      expect((await read.json()).entries.map((entry: { message: string }) => entry.message)).toEqual(['two']);
    });

    it('answers errors in the contract shape', async () => {
      const unknown = await fetch(`${server.url}/sessions/${'9'.repeat(24)}/log`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({
        statusCode: 404,
        error: 'Not Found',
        message: `session ${'9'.repeat(24)} not found`,
      });
      const badType = await fetch(`${server.url}/sessions/${ID}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/html' },
        body: 'x',
      });
      expect(badType.status).toBe(415);
      expect(await badType.json()).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type' });
    });

    it('answers a malformed id with 400', async () => {
      const res = await fetch(`${server.url}/sessions/not-an-id/log`, { method: 'POST', headers: TEXT, body: 'x' });
      expect(res.status).toBe(400);
      expect((await res.json()).message).toContain('invalid session id');
    });
  });

  describe('with AUTH_TOKEN and AUTH_READ_TOKEN', () => {
    let server: RunningApp;
    const write = { authorization: 'Bearer writer-token' };
    beforeAll(async () => {
      server = await startApp({ AUTH_TOKEN: 'writer-token', AUTH_READ_TOKEN: 'reader-token' });
      await fetch(`${server.url}/sessions/${ID}`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, ...write },
        body: '{"appname":"lane"}',
      });
    });
    afterAll(() => server.close());

    it('refuses appends and reads without a token, changing nothing', async () => {
      const append = await fetch(`${server.url}/sessions/${ID}/log`, { method: 'POST', headers: TEXT, body: 'sneaky' });
      expect(append.status).toBe(401);
      expect(append.headers.get('www-authenticate')).toBe('Bearer');
      expect(await append.json()).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect((await fetch(`${server.url}/sessions/${ID}/log`)).status).toBe(401);
      const read = await fetch(`${server.url}/sessions/${ID}/log`, {
        headers: { authorization: 'Bearer reader-token' },
      });
      expect(await read.json()).toMatchObject({ entries: [], cursor: 0 });
    });

    it('accepts the write token for appends and the read token for reads', async () => {
      const append = await fetch(`${server.url}/sessions/${ID}/log`, {
        method: 'POST',
        headers: { ...TEXT, ...write },
        body: 'ok',
      });
      expect(append.status).toBe(200);
      const read = await fetch(`${server.url}/sessions/${ID}/log?access_token=reader-token`);
      expect((await read.json()).entries).toHaveLength(1);
    });
  });

  it('keeps serving log requests when CORS is on, with the CORS headers', async () => {
    const server = await startApp({ CORS_ORIGINS: 'http://tools.example' });
    try {
      await fetch(`${server.url}/sessions/${ID}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: '{"appname":"cors"}',
      });
      const res = await fetch(`${server.url}/sessions/${ID}/log`, { headers: { origin: 'http://tools.example' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('http://tools.example');
      expect(res.headers.get('access-control-expose-headers')).toContain('X-Log-Cursor');
    } finally {
      await server.close();
    }
  });
});
