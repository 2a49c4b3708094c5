import { ErrorResponse } from '@zen/contract';
import WebSocket from 'ws';
import { JSON_HEADERS } from '@zen/testing';
import { HANDSHAKE, rawExchange } from '../testing/raw-socket';
import { RunningApp, startApp } from '../testing/running-app';

const WRITE = 'write-token-123';
const READ = 'read-token-456';
const ID = 'a0a0a0a0a0a0a0a0a0a0a0a0';

function wsOutcome(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(`HTTP ${res.statusCode}`));
    ws.on('error', () => resolve('error'));
  });
}

describe('authentication (AUTH_TOKEN, AUTH_READ_TOKEN)', () => {
  describe('with only a write token', () => {
    let server: RunningApp;
    beforeAll(async () => (server = await startApp({ AUTH_TOKEN: WRITE })));
    afterAll(() => server.close());

    it('answers a write without the token with 401 in the error shape and changes nothing', async () => {
      const res = await fetch(`${server.url}/sessions/${ID}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: '{"appname":"a"}',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      const body = (await res.json()) as ErrorResponse;
      expect(body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
      expect(JSON.stringify(body)).not.toContain(WRITE);
      expect((await fetch(`${server.url}/sessions/${ID}`)).status).toBe(404);
    });

    it('rejects a wrong token and accepts the right one', async () => {
      const post = (token: string) =>
        fetch(`${server.url}/sessions/${ID}`, {
          method: 'POST',
          headers: { ...JSON_HEADERS, authorization: `Bearer ${token}` },
          body: '{"appname":"a"}',
        });
      expect((await post('write-token-124')).status).toBe(401);
      expect((await post(WRITE)).status).toBe(201);
    });

    it('leaves reads and the WebSocket open', async () => {
      expect((await fetch(`${server.url}/sessions/`)).status).toBe(200);
      expect(await wsOutcome(`${server.wsUrl}/sessions/ws`)).toBe('open');
    });
  });

  describe('with a read token too', () => {
    let server: RunningApp;
    beforeAll(async () => (server = await startApp({ AUTH_TOKEN: WRITE, AUTH_READ_TOKEN: READ })));
    afterAll(() => server.close());

    it('needs a token for reads and metrics; either token opens them', async () => {
      expect((await fetch(`${server.url}/sessions/`)).status).toBe(401);
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      expect((await fetch(`${server.url}/sessions/`, { headers: { authorization: `Bearer ${READ}` } })).status).toBe(
        200,
      );
      expect((await fetch(`${server.url}/sessions/`, { headers: { authorization: `Bearer ${WRITE}` } })).status).toBe(
        200,
      );
      expect((await fetch(`${server.url}/metrics?access_token=${READ}`)).status).toBe(200);
    });

    it('does not let the read token write', async () => {
      const res = await fetch(`${server.url}/sessions/`, {
        method: 'POST',
        headers: { ...JSON_HEADERS, authorization: `Bearer ${READ}` },
        body: '{"appname":"a"}',
      });
      expect(res.status).toBe(401);
    });

    it('names the problem: no token, a read token on a write, or a token the server does not accept', async () => {
      const message = async (path: string, method: string, token?: string) => {
        const headers = token ? { ...JSON_HEADERS, authorization: `Bearer ${token}` } : JSON_HEADERS;
        const body = method === 'GET' ? undefined : '{"appname":"a"}';
        return ((await (await fetch(`${server.url}${path}`, { method, headers, body })).json()) as ErrorResponse)
          .message;
      };
      expect(await message('/sessions/', 'GET')).toMatch(/none was sent: send "Authorization: Bearer <token>"/);
      expect(await message('/sessions/', 'POST', READ)).toMatch(/the one sent may only read: send the write token/);
      expect(await message('/sessions/', 'POST', 'not-the-token')).toMatch(
        /the one sent is not one the server accepts/,
      );
      expect(await message('/sessions/', 'GET', 'not-the-token')).toMatch(/the one sent is not one the server accepts/);
      const handshake = Object.entries(HANDSHAKE).map(([name, value]) => `${name}: ${value}`);
      const upgrade = [`GET /sessions/ws HTTP/1.1`, `Host: ${new URL(server.url).host}`, ...handshake];
      const refused = await rawExchange(server, [...upgrade, 'Authorization: Bearer not-the-token'].join('\r\n'));
      expect(refused.status).toBe(401);
      expect(refused.body).toMatch(/this WebSocket needs a valid token and the one sent is not one the server accepts/);
    });

    // Found in stop 51's audit: Basic credentials (a scrape config's basic_auth), a token without
    // "Bearer " or one with a space in it were all answered "none was sent", which sends the user
    // looking for a header they did send.
    it('says an Authorization header that is not "Bearer <token>" is one, without echoing it, and changes nothing', async () => {
      const notBearer = /needs a valid token and the Authorization header sent is not "Bearer <token>"/;
      for (const authorization of [
        `Basic ${Buffer.from(`u:${WRITE}`).toString('base64')}`,
        WRITE,
        `Bearer ${WRITE} x`,
      ]) {
        const res = await fetch(`${server.url}/sessions/${ID}`, {
          method: 'POST',
          headers: { ...JSON_HEADERS, authorization },
          body: '{"appname":"a"}',
        });
        expect(res.status).toBe(401);
        expect(res.headers.get('www-authenticate')).toBe('Bearer');
        const { message } = (await res.json()) as ErrorResponse;
        expect(message).toMatch(notBearer);
        expect(message).not.toContain(WRITE);
        const read = await fetch(`${server.url}/sessions/${ID}`, { headers: { authorization } });
        expect(((await read.json()) as ErrorResponse).message).toMatch(notBearer);
        const { host } = new URL(server.url);
        const handshake = Object.entries(HANDSHAKE).map(([name, value]) => `${name}: ${value}`);
        const upgrade = [`GET /sessions/ws HTTP/1.1`, `Host: ${host}`, ...handshake, `Authorization: ${authorization}`];
        const refused = await rawExchange(server, upgrade.join('\r\n'));
        expect(refused.status).toBe(401);
        expect(refused.body).toMatch(/this WebSocket needs a valid token and the Authorization header sent is not/);
      }
      const session = await fetch(`${server.url}/sessions/${ID}`, { headers: { authorization: `Bearer ${READ}` } });
      expect(session.status).toBe(404);
      // "Bearer" alone, or a header of white space, sends no token: said so, as before.
      const bare = await fetch(`${server.url}/sessions/`, { headers: { authorization: 'Bearer' } });
      expect(((await bare.json()) as ErrorResponse).message).toMatch(/none was sent/);
      // Any spelling of the scheme and spacing around the token is still a bearer token.
      for (const authorization of [`bearer ${READ}`, `Bearer  ${READ}`, `BEARER\t${READ} `]) {
        expect((await fetch(`${server.url}/sessions/`, { headers: { authorization } })).status).toBe(200);
      }
      // The query's token still serves a request whose header carries another scheme (a proxy's Basic).
      const both = await fetch(`${server.url}/sessions/?access_token=${READ}`, {
        headers: { authorization: 'Basic dTpw' },
      });
      expect(both.status).toBe(200);
    });

    // Found in stop 51's audit: Nest's 404 names the request's whole target, so a wrong path
    // given with ?access_token= (a download link) answered the token back in the message.
    it('does not echo a query token in an error message', async () => {
      for (const target of [
        `/nothing?access_token=${READ}`,
        `/api-docs/nothing?x=1&access_token=${READ}`,
        `/nothing?access%5Ftoken=${READ}`,
      ]) {
        const res = await fetch(`${server.url}${target}`);
        expect(res.status).toBe(404);
        const { message } = (await res.json()) as ErrorResponse;
        expect(message).toMatch(/^Cannot GET \/\S*nothing\?/);
        expect(message).toMatch(/access(_|%5F)token=…/);
        expect(message).not.toContain(READ);
      }
    });

    // Found in stop 51's audit: HAProxy's `option httpchk` sends OPTIONS (to / without a URI), and
    // with a read token set every open path answered another method 401, so every replica was down.
    it('answers another method on a path only open routes serve without a token, and still asks one elsewhere', async () => {
      for (const path of ['/health', '/health/ready', '/', '/dashboard/', '/api-docs/json']) {
        const options = await fetch(`${server.url}${path}`, { method: 'OPTIONS', redirect: 'manual' });
        expect({ path, status: options.status }).toEqual({ path, status: 204 });
        expect(options.headers.get('allow')).toContain('GET');
      }
      const post = await fetch(`${server.url}/health/ready`, { method: 'POST' });
      expect(post.status).toBe(405);
      expect(post.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
      // Paths with data, or none, still need one: nothing about them is told without it.
      for (const [path, method] of [
        ['/sessions/', 'OPTIONS'],
        [`/sessions/${ID}`, 'PATCH'],
        ['/sessions/ws', 'POST'],
        ['/metrics', 'POST'],
        ['/nothing', 'OPTIONS'],
      ]) {
        const refused = await fetch(`${server.url}${path}`, { method });
        expect({ path, method, status: refused.status }).toEqual({ path, method, status: 401 });
      }
    });

    it('refuses a WebSocket upgrade without the token and accepts it by header or query', async () => {
      expect(await wsOutcome(`${server.wsUrl}/sessions/ws`)).toBe('HTTP 401');
      expect(await wsOutcome(`${server.wsUrl}/sessions/ws`, { authorization: `Bearer ${READ}` })).toBe('open');
      expect(await wsOutcome(`${server.wsUrl}/sessions/ws?access_token=${READ}`)).toBe('open');
    });

    it('keeps health probes and the dashboard page open', async () => {
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
      expect((await fetch(`${server.url}/dashboard/`)).status).toBe(200);
    });

    it('gives a request target in absolute form (http://host/path) the access of its path', async () => {
      // RFC 9112 §3.2.2: a server must accept `GET http://host:port/health HTTP/1.1` as `GET /health`.
      const { host } = new URL(server.url);
      const get = (target: string, headers: string[] = []) =>
        rawExchange(server, [`GET ${target} HTTP/1.1`, `Host: ${host}`, 'Connection: close', ...headers].join('\r\n'));
      expect((await get(`http://${host}/health`)).status).toBe(200);
      expect((await get(`HTTP://${host}/health/ready?x=1`)).status).toBe(200);
      expect((await get(`http://${host}/sessions/`)).status).toBe(401);
      expect((await get(`http://${host}/sessions/`, [`Authorization: Bearer ${READ}`])).status).toBe(200);
    });
  });
});
