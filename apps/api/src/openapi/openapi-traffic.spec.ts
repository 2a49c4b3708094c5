import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LogEntrySchema } from '@zen/contract/schemas';
import { freePort, JSON_HEADERS, oid, rawRequest, RawResponse } from '@zen/testing';
import { ContractValidator } from '../common/contract-validator';
import { RunningApp, startApp } from '../testing/running-app';

const WRITE = 'traffic-write';
const READ = 'traffic-read';
const W = { authorization: `Bearer ${WRITE}` };
const R = { authorization: `Bearer ${READ}` };
const JSON_W = { ...W, ...JSON_HEADERS };
const TEXT_W = { ...W, 'content-type': 'text/plain' };
const ID = oid(0xa11ce);
const UNKNOWN = oid(0xdead);
/** The main server's MAX_APPEND_ENTRIES_PER_S: the appends of the steps before the flood stay well within it. */
const APPEND_RATE = 100;

interface Step {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  status: number;
  /** Start of the answer's Content-Type. */
  type: string;
  /** Headers the answer must carry. */
  carries?: string[];
}

/** A Prism proxy in front of one server, with everything it printed (for failure messages). */
interface Proxy {
  name: string;
  url: string;
  process: ChildProcess;
  output: string;
}

/**
 * Every endpoint, status and content type of the served OpenAPI document, driven through
 * Stoplight Prism's validating proxy (`prism proxy --errors`), which checks each request
 * and response against the document: a violation answers 422/500 with a problem+json body
 * and an `sl-violations` header instead of the server's answer. Three proxies, each started
 * with the document the main server serves:
 * - `strict` (requests and answers validated), in front of the main server: valid requests,
 *   so each status is reached the way a client reaches it with a request the document allows;
 *   among them the append's 429 (MAX_APPEND_ENTRIES_PER_S, with Retry-After) and the sessions'
 *   429 (MAX_SESSIONS).
 * - `lenient` (`--validate-request=false`: answers validated only), in front of the same
 *   server: the statuses only requests the document declares invalid reach, which the strict
 *   proxy would answer itself (422) without forwarding: the listing's 400 (a bad `status`),
 *   every route's 415 (a media type the document does not list) and DELETE's 413 (a body the
 *   document does not declare). The invalid requests Prism lets through (an empty `status`, a
 *   JSON charset other than UTF-8) go through the strict proxy.
 * - `outage` (strict), in front of a server with LOG_STORE=redis and nothing listening at its
 *   REDIS_URL: the 503 of every route that needs the store, and of `/health/ready` (store down).
 * Not driven: the answers of `GET /sessions/ws` to an upgrade (101, 400, 403), which Prism does
 * not proxy (live/live-upgrade.spec.ts drives them); `/health/ready`'s 503 while shutting down (readiness turns false only inside
 * RunningApp.close(), which then stops the HTTP server: a RunningApp cannot be held in between;
 * the answer is the error shape of the store-down 503 driven here). `/health` has no 503: it
 * answers 200 whenever the process answers, shutting down too.
 */
describe('the served OpenAPI document, checked by Prism against real traffic', () => {
  jest.setTimeout(120_000);
  let server: RunningApp;
  let outage: RunningApp | undefined;
  let outageClosedAt = 0;
  let quiet: jest.SpyInstance | undefined;
  let strict: Proxy;
  let lenient: Proxy;
  let outageProxy: Proxy;
  let dir: string;
  let serverSessionId: string;

  async function startProxy(name: string, document: string, upstream: string, options: string[]): Promise<Proxy> {
    const port = await freePort();
    const proxy: Proxy = {
      name,
      url: `http://127.0.0.1:${port}`,
      process: spawn(
        join(process.cwd(), 'node_modules/.bin/prism'),
        ['proxy', document, upstream, '--errors', ...options, '--host', '127.0.0.1', '--port', String(port)],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
      output: '',
    };
    proxy.process.stdout?.on('data', (chunk: Buffer) => (proxy.output += chunk.toString()));
    proxy.process.stderr?.on('data', (chunk: Buffer) => (proxy.output += chunk.toString()));
    // Prism takes a while to start on a busy machine.
    const deadline = Date.now() + 240_000;
    for (;;) {
      try {
        await rawRequest(`${proxy.url}/health`, 'GET');
        return proxy;
      } catch {
        if (Date.now() > deadline || proxy.process.exitCode !== null) {
          throw new Error(`prism (${name}) did not start: ${proxy.output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }

  /** Stops the proxy and waits for it to exit (its pipes would keep jest waiting). */
  function stopProxy(proxy: Proxy): Promise<void> {
    if (proxy.process.exitCode !== null || proxy.process.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((resolve) => proxy.process.once('exit', () => resolve()));
    proxy.process.kill();
    return exited;
  }

  /** Stops the outage proxy and server, once (as soon as their test is done). */
  async function closeOutage(): Promise<void> {
    const app = outage;
    outage = undefined;
    if (outageProxy) await stopProxy(outageProxy);
    if (!app) return;
    await app.close();
    outageClosedAt = Date.now();
    // startApp's close puts back the console output it silenced, one spy for every app: the main
    // server's stays silenced.
    quiet = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  }

  beforeAll(async () => {
    const limits = {
      AUTH_TOKEN: WRITE,
      AUTH_READ_TOKEN: READ,
      MAX_BODY_BYTES: '4096',
      MAX_MESSAGE_BYTES: '100',
      MAX_SESSIONS: '3',
    };
    server = await startApp({ ...limits, MAX_APPEND_ENTRIES_PER_S: String(APPEND_RATE) });
    // The store is Redis, and nothing listens where it should be: every request that needs it is a 503.
    outage = await startApp({
      ...limits,
      LOG_STORE: 'redis',
      REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
      REDIS_TIMEOUT_MS: '300',
    });
    const doc = await fetch(`${server.url}/api-docs/json`);
    dir = mkdtempSync(join(tmpdir(), 'zen-openapi-'));
    const document = join(dir, 'openapi.json');
    writeFileSync(document, await doc.text());
    [strict, lenient, outageProxy] = await Promise.all([
      startProxy('strict', document, server.url, []),
      startProxy('lenient', document, server.url, ['--validate-request=false']),
      startProxy('outage', document, outage.url, []),
    ]);
    serverSessionId = (await rawRequest(`${server.url}/sessions`, 'GET', R)).json<{ serverSessionId: string }>()
      .serverSessionId;
  }, 300_000);

  afterAll(async () => {
    await Promise.all([strict, lenient].map((proxy) => proxy && stopProxy(proxy)));
    await closeOutage();
    await server?.close();
    quiet?.mockRestore();
    if (dir) rmSync(dir, { recursive: true, force: true });
    // The outage server's Redis client was between two connection attempts when it closed, and
    // node-redis sleeps out that delay (at most 2 s, RedisConnection's backoff) without a way to
    // cancel it: wait for it here, so that the suite leaves nothing running.
    const reconnectDelayLeft = outageClosedAt + 2_500 - Date.now();
    if (reconnectDelayLeft > 0) await new Promise((resolve) => setTimeout(resolve, reconnectDelayLeft));
  });

  /** Sends each step through `proxy` (the strict one unless named) and lists what went wrong. */
  async function drive(steps: Step[], proxy: Proxy = strict): Promise<void> {
    const problems: string[] = [];
    for (const step of steps) {
      const headers: Record<string, string> = { ...step.headers };
      if (step.body !== undefined) headers['content-length'] = String(Buffer.byteLength(step.body));
      // Without the token the document requires (its `security`), a request is one it declares
      // invalid, which Prism answers itself (401, problem+json) whatever its options: the 401
      // driven is that of a token the server does not accept.
      if (step.status === 401 && headers['authorization'] === undefined)
        headers['authorization'] = 'Bearer not-a-token';
      const res: RawResponse = await rawRequest(`${proxy.url}${step.path}`, step.method, headers, step.body);
      const what = `${proxy.name}: ${step.method} ${step.path} → ${res.status} ${res.headers['content-type'] ?? ''}`;
      const missing = (step.carries ?? []).filter((name) => res.headers[name.toLowerCase()] === undefined);
      if (res.headers['sl-violations'] !== undefined) problems.push(`${what}: ${res.headers['sl-violations']}`);
      else if (res.status !== step.status) problems.push(`${what}: expected ${step.status}; ${res.body.slice(0, 600)}`);
      else if (!String(res.headers['content-type'] ?? '').startsWith(step.type))
        problems.push(`${what}: not ${step.type}`);
      else if (missing.length > 0) problems.push(`${what}: without ${missing.join(', ')}`);
    }
    expect(problems).toEqual([]);
  }

  const json = 'application/json';

  it('store down (LOG_STORE=redis, nothing listening): 503 on every route that needs it, and /health/ready', async () => {
    await drive(
      [
        { method: 'GET', path: '/sessions/', headers: R, status: 503, type: json },
        { method: 'GET', path: '/sessions?status=all', headers: R, status: 503, type: json },
        { method: 'POST', path: '/sessions/', headers: JSON_W, body: '{"appname":"a"}', status: 503, type: json },
        { method: 'POST', path: '/sessions', headers: JSON_W, body: '{"appname":"a"}', status: 503, type: json },
        { method: 'POST', path: `/sessions/${ID}`, headers: JSON_W, body: '{"appname":"a"}', status: 503, type: json },
        { method: 'PUT', path: `/sessions/${ID}`, headers: JSON_W, body: '{}', status: 503, type: json },
        { method: 'DELETE', path: `/sessions/${ID}`, headers: W, status: 503, type: json },
        { method: 'GET', path: `/sessions/${ID}`, headers: R, status: 503, type: json },
        { method: 'GET', path: `/sessions/${ID}/log?format=ndjson`, headers: R, status: 503, type: json },
        { method: 'POST', path: `/sessions/${ID}/log`, headers: TEXT_W, body: 'x', status: 503, type: json },
        // What answers without the store still does (the scrape says zen_store_up 0).
        { method: 'GET', path: '/metrics', headers: R, status: 200, type: 'text/plain' },
        { method: 'GET', path: '/sessions/', status: 401, type: json },
        { method: 'GET', path: '/health', status: 200, type: json },
        { method: 'GET', path: '/health/ready', status: 503, type: json },
      ],
      outageProxy,
    );
    // First of the tests, so that the Redis client's last reconnect delay (see afterAll) runs out
    // while the others run.
    await closeOutage();
  });

  it('sessions: listing (with and without the trailing slash), create, update, read, end', async () => {
    const big = JSON.stringify({ appname: 'a', metadata: { pad: 'x'.repeat(5000) } });
    await drive([
      { method: 'GET', path: '/sessions/', headers: R, status: 200, type: json },
      { method: 'GET', path: '/sessions', headers: R, status: 200, type: json },
      { method: 'GET', path: '/sessions/?status=all', headers: R, status: 200, type: json },
      { method: 'GET', path: '/sessions?status=ended', headers: W, status: 200, type: json },
      { method: 'GET', path: '/sessions/', status: 401, type: json },
      { method: 'POST', path: '/sessions/', headers: JSON_W, body: '{"appname":"traffic"}', status: 201, type: json },
      { method: 'POST', path: '/sessions', headers: W, status: 400, type: json },
      { method: 'POST', path: '/sessions', headers: JSON_W, body: big, status: 413, type: json },
      { method: 'POST', path: '/sessions', headers: JSON_HEADERS, body: '{"appname":"a"}', status: 401, type: json },
      { method: 'POST', path: '/sessions/', headers: W, status: 400, type: json },
      { method: 'POST', path: '/sessions/', headers: JSON_W, body: big, status: 413, type: json },
      { method: 'POST', path: '/sessions/', headers: JSON_HEADERS, body: '{"appname":"a"}', status: 401, type: json },
      {
        method: 'POST',
        path: `/sessions/${ID}`,
        headers: JSON_W,
        body: '{"appname":"t","jobid":"j"}',
        status: 201,
        type: json,
      },
      { method: 'POST', path: `/sessions/${ID.toUpperCase()}`, headers: JSON_W, body: '{}', status: 200, type: json },
      { method: 'POST', path: `/sessions/${ID}`, headers: W, status: 200, type: json },
      // null counts as absent on an update: a body the document allows (it once declared appname non-null).
      { method: 'POST', path: `/sessions/${ID}`, headers: JSON_W, body: '{"appname":null}', status: 200, type: json },
      { method: 'PUT', path: `/sessions/${ID}`, headers: JSON_W, body: '{"appname":null}', status: 200, type: json },
      { method: 'POST', path: '/sessions/', headers: JSON_W, body: '{"appname":null}', status: 400, type: json },
      { method: 'POST', path: '/sessions/not-an-id', headers: JSON_W, body: '{}', status: 400, type: json },
      { method: 'POST', path: `/sessions/${serverSessionId}`, headers: JSON_W, body: '{}', status: 403, type: json },
      { method: 'POST', path: `/sessions/${ID}`, headers: JSON_W, body: big, status: 413, type: json },
      { method: 'POST', path: `/sessions/${ID}`, headers: JSON_HEADERS, body: '{}', status: 401, type: json },
      {
        method: 'PUT',
        path: `/sessions/${ID}`,
        headers: JSON_W,
        body: '{"metadata":{"k":[1,{"a":null}]}}',
        status: 200,
        type: json,
      },
      { method: 'PUT', path: `/sessions/${UNKNOWN}`, headers: JSON_W, body: '{}', status: 404, type: json },
      { method: 'PUT', path: '/sessions/xyz', headers: JSON_W, body: '{}', status: 400, type: json },
      { method: 'PUT', path: `/sessions/${serverSessionId}`, headers: JSON_W, body: '{}', status: 403, type: json },
      { method: 'PUT', path: `/sessions/${ID}`, headers: JSON_W, body: big, status: 413, type: json },
      { method: 'PUT', path: `/sessions/${ID}`, headers: JSON_HEADERS, body: '{}', status: 401, type: json },
      { method: 'GET', path: `/sessions/${ID}`, headers: R, status: 200, type: json },
      { method: 'GET', path: `/sessions/${UNKNOWN}`, headers: R, status: 404, type: json },
      { method: 'GET', path: '/sessions/xyz', headers: R, status: 400, type: json },
      { method: 'GET', path: `/sessions/${ID}`, status: 401, type: json },
    ]);
  });

  it('logs: text and JSON appends, JSON pages, NDJSON and text downloads, and their errors', async () => {
    await drive([
      { method: 'POST', path: `/sessions/${ID}/log`, headers: TEXT_W, body: 'one\r\ntwo\n\n', status: 200, type: json },
      // An append with no entries (README): an empty text body, and an empty batch.
      { method: 'POST', path: `/sessions/${ID}/log`, headers: TEXT_W, body: '', status: 200, type: json },
      { method: 'POST', path: `/sessions/${ID}/log`, headers: JSON_W, body: '{"entries":[]}', status: 200, type: json },
      {
        method: 'POST',
        path: `/sessions/${ID}/log`,
        headers: JSON_W,
        body: '{"message":"m","level":"warn","data":{"ms":5}}',
        status: 200,
        type: json,
      },
      {
        method: 'POST',
        path: `/sessions/${ID}/log`,
        headers: JSON_W,
        body: '{"entries":[{"message":"a","time":"2026-11-24T12:00:00+01:00"},{"message":"b","level":null}]}',
        status: 200,
        type: json,
      },
      { method: 'POST', path: `/sessions/${ID}/log`, headers: TEXT_W, body: 'x'.repeat(200), status: 400, type: json },
      { method: 'POST', path: '/sessions/xyz/log', headers: TEXT_W, body: 'x', status: 400, type: json },
      { method: 'POST', path: `/sessions/${UNKNOWN}/log`, headers: TEXT_W, body: 'x', status: 404, type: json },
      { method: 'POST', path: `/sessions/${serverSessionId}/log`, headers: TEXT_W, body: 'x', status: 403, type: json },
      {
        method: 'POST',
        path: `/sessions/${ID}/log`,
        headers: TEXT_W,
        body: 'x\n'.repeat(3000),
        status: 413,
        type: json,
      },
      {
        method: 'POST',
        path: `/sessions/${ID}/log`,
        headers: { 'content-type': 'text/plain' },
        body: 'x',
        status: 401,
        type: json,
      },
      { method: 'GET', path: `/sessions/${ID}/log`, headers: R, status: 200, type: json },
      {
        method: 'GET',
        path: `/sessions/${ID}/log?cursor=2&limit=1&level=info&q=B`,
        headers: R,
        status: 200,
        type: json,
      },
      { method: 'GET', path: `/sessions/${ID}/log?offset=1&limit=2`, headers: R, status: 200, type: json },
      {
        method: 'GET',
        path: `/sessions/${ID}/log?format=ndjson`,
        headers: R,
        status: 200,
        type: 'application/x-ndjson',
      },
      { method: 'GET', path: `/sessions/${ID}/log?format=text&offset=0`, headers: R, status: 200, type: 'text/plain' },
      { method: 'GET', path: `/sessions/${ID}/log?cursor=1&offset=1`, headers: R, status: 400, type: json },
      { method: 'GET', path: '/sessions/xyz/log', headers: R, status: 400, type: json },
      { method: 'GET', path: `/sessions/${UNKNOWN}/log`, headers: R, status: 404, type: json },
      { method: 'GET', path: `/sessions/${ID}/log`, status: 401, type: json },
    ]);
  });

  it('NDJSON downloads: every line is a log entry as the contract states it', async () => {
    const res = await rawRequest(`${strict.url}/sessions/${ID}/log?format=ndjson`, 'GET', R);
    const lines = res.body.split('\n').filter((line) => line !== '');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const entry = new ContractValidator(LogEntrySchema);
    for (const line of lines) expect([line, entry.problems(JSON.parse(line))]).toEqual([line, []]);
  });

  it('append rate limit: past MAX_APPEND_ENTRIES_PER_S, 429 with Retry-After', async () => {
    // One batch of ten seconds' worth gets in and leaves the session about nine seconds in debt:
    // the next appends are refused however slow this machine is. The ending below still answers
    // its late append 409: the session's state answers before the rate limit.
    const flood = 'x\n'.repeat(APPEND_RATE * 10);
    await drive([
      { method: 'POST', path: `/sessions/${ID}/log`, headers: TEXT_W, body: flood, status: 200, type: json },
      {
        method: 'POST',
        path: `/sessions/${ID}/log`,
        headers: TEXT_W,
        body: 'one more',
        status: 429,
        type: json,
        carries: ['Retry-After'],
      },
      {
        method: 'POST',
        path: `/sessions/${ID}/log`,
        headers: JSON_W,
        body: '{"message":"m"}',
        status: 429,
        type: json,
        carries: ['Retry-After'],
      },
    ]);
  });

  it('ending: DELETE, then the ended session refuses changes (409)', async () => {
    await drive([
      { method: 'DELETE', path: `/sessions/${ID}`, status: 401, type: json },
      { method: 'DELETE', path: `/sessions/${ID}`, headers: W, status: 200, type: json },
      { method: 'DELETE', path: `/sessions/${ID}`, headers: W, status: 200, type: json },
      { method: 'DELETE', path: `/sessions/${UNKNOWN}`, headers: W, status: 404, type: json },
      { method: 'DELETE', path: '/sessions/xyz', headers: W, status: 400, type: json },
      { method: 'DELETE', path: `/sessions/${serverSessionId}`, headers: W, status: 403, type: json },
      { method: 'POST', path: `/sessions/${ID}`, headers: JSON_W, body: '{}', status: 409, type: json },
      { method: 'PUT', path: `/sessions/${ID}`, headers: JSON_W, body: '{}', status: 409, type: json },
      { method: 'POST', path: `/sessions/${ID}/log`, headers: TEXT_W, body: 'late', status: 409, type: json },
      { method: 'GET', path: `/sessions/${ID}/log?format=text`, headers: R, status: 200, type: 'text/plain' },
    ]);
  });

  it('operations: health probes and metrics', async () => {
    await drive([
      { method: 'GET', path: '/health', status: 200, type: json },
      { method: 'GET', path: '/health/ready', status: 200, type: json },
      { method: 'GET', path: '/metrics', headers: R, status: 200, type: 'text/plain' },
      { method: 'GET', path: '/metrics', status: 401, type: json },
      // The WebSocket's path, asked without an upgrade (once read as /sessions/{id}, whose 400 it is not).
      // (Its Upgrade header, hop-by-hop, Prism does not pass on.)
      { method: 'GET', path: '/sessions/ws', headers: R, status: 426, type: json },
      { method: 'GET', path: '/sessions/ws', status: 401, type: json },
      // Any other method is the same plain request (not /sessions/{id}'s 400 for the id `ws`).
      { method: 'POST', path: '/sessions/ws', headers: W, status: 426, type: json },
      { method: 'DELETE', path: '/sessions/ws', headers: R, status: 426, type: json },
    ]);
  });

  it("the listing's 400, every 415 and DELETE's 413: requests the document declares invalid", async () => {
    // Refused before the session's state is looked at: no session is created, changed or ended.
    const xml = { ...W, 'content-type': 'application/xml' };
    const latin1 = { ...W, 'content-type': 'application/json; charset=iso-8859-1' };
    const big = JSON.stringify({ pad: 'x'.repeat(5000) });
    await drive(
      [
        { method: 'GET', path: '/sessions?status=bogus', headers: R, status: 400, type: json },
        { method: 'GET', path: '/sessions/?status=bogus', headers: R, status: 400, type: json },
        { method: 'POST', path: '/sessions', headers: xml, body: '<appname/>', status: 415, type: json },
        { method: 'POST', path: '/sessions/', headers: xml, body: '<appname/>', status: 415, type: json },
        { method: 'POST', path: `/sessions/${UNKNOWN}`, headers: xml, body: '<a/>', status: 415, type: json },
        { method: 'PUT', path: `/sessions/${UNKNOWN}`, headers: xml, body: '<a/>', status: 415, type: json },
        { method: 'DELETE', path: `/sessions/${UNKNOWN}`, headers: xml, body: '<a/>', status: 415, type: json },
        { method: 'DELETE', path: `/sessions/${UNKNOWN}`, headers: JSON_W, body: big, status: 413, type: json },
        { method: 'POST', path: `/sessions/${UNKNOWN}/log`, headers: xml, body: '<a/>', status: 415, type: json },
        {
          method: 'POST',
          path: `/sessions/${UNKNOWN}/log`,
          headers: { ...W, 'content-type': 'text/plain; charset=utf-16' },
          body: 'x',
          status: 415,
          type: json,
        },
      ],
      lenient,
    );
    // What Prism does not hold against a request, the strict proxy forwards: an empty value (it
    // reads `?status=` as no status) and a JSON charset other than UTF-8.
    await drive([
      { method: 'GET', path: '/sessions/?status=', headers: R, status: 400, type: json },
      { method: 'POST', path: '/sessions/', headers: latin1, body: '{"appname":"a"}', status: 415, type: json },
      { method: 'PUT', path: `/sessions/${UNKNOWN}`, headers: latin1, body: '{}', status: 415, type: json },
    ]);
  });

  it('too many active sessions: 429 on both ways of creating one', async () => {
    const steps: Step[] = [];
    // MAX_SESSIONS=3: the session created above by POST /sessions/ is active; two more fill it.
    for (const n of [1, 2]) {
      steps.push({
        method: 'POST',
        path: `/sessions/${oid(n)}`,
        headers: JSON_W,
        body: '{"appname":"f"}',
        status: 201,
        type: json,
      });
    }
    steps.push({
      method: 'POST',
      path: '/sessions',
      headers: JSON_W,
      body: '{"appname":"f"}',
      status: 429,
      type: json,
    });
    steps.push({
      method: 'POST',
      path: '/sessions/',
      headers: JSON_W,
      body: '{"appname":"f"}',
      status: 429,
      type: json,
    });
    steps.push({
      method: 'POST',
      path: `/sessions/${oid(3)}`,
      headers: JSON_W,
      body: '{"appname":"f"}',
      status: 429,
      type: json,
    });
    await drive(steps);
  });
});
