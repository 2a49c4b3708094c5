import WebSocket from 'ws';
import { JSON_HEADERS } from '@zen/testing';
import { rawExchange } from '../testing/raw-socket';
import { RunningApp, startApp } from '../testing/running-app';

const ID = 'b1b1b1b1b1b1b1b1b1b1b1b1';

describe('GET /metrics', () => {
  let server: RunningApp;
  beforeAll(async () => (server = await startApp({ LOG_CAPACITY: '2' })));
  afterAll(() => server.close());

  async function scrape(): Promise<string> {
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return res.text();
  }

  const value = (text: string, series: string) => {
    const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
    return line === undefined ? undefined : Number(line.slice(series.length + 1));
  };

  it('reports sessions, appended and evicted entries by level, WebSocket figures, HTTP requests and process metrics', async () => {
    // The server session logs too (e.g. a warning about the dashboard build), so count from here.
    const before = await scrape();
    const added = (text: string, series: string) => (value(text, series) ?? 0) - (value(before, series) ?? 0);
    await fetch(`${server.url}/sessions/${ID}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"m"}' });
    const entries = [
      { level: 'warn', message: 'a' },
      { level: 'warn', message: 'b' },
      { level: 'error', message: 'c' },
    ];
    await fetch(`${server.url}/sessions/${ID}/log`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ entries }),
    });
    const ws = new WebSocket(`${server.wsUrl}/sessions/ws`);
    await new Promise((resolve) => ws.once('message', resolve));
    ws.send(JSON.stringify({ event: 'subscribe-log', data: { id: ID } }));
    await new Promise((resolve) => ws.once('message', resolve));

    const text = await scrape();
    expect(value(text, 'zen_sessions{status="active"}')).toBe(2);
    expect(value(text, 'zen_sessions{status="ended"}')).toBe(0);
    expect(added(text, 'zen_log_entries_appended_total{level="warn"}')).toBe(2);
    expect(added(text, 'zen_log_entries_appended_total{level="error"}')).toBe(1);
    // Capacity 2: the session's first warn was evicted.
    expect(added(text, 'zen_log_entries_evicted_total{level="warn"}')).toBe(1);
    expect(value(text, 'zen_ws_clients')).toBe(1);
    expect(value(text, 'zen_ws_subscriptions')).toBe(1);
    // Requests are counted by the histogram's _count (no separate counter to keep in step).
    expect(
      value(text, 'zen_http_request_duration_seconds_count{method="POST",route="/sessions/:id/log",status="200"}'),
    ).toBe(1);
    expect(text).not.toContain('zen_http_requests_total');
    expect(text).toContain(
      'zen_http_request_duration_seconds_bucket{le="0.001",method="POST",route="/sessions/:id/log",status="200"}',
    );
    expect(text).toContain('process_cpu_seconds_total');
    ws.close();
  });

  it('labels requests by route pattern, never by raw path', async () => {
    await fetch(`${server.url}/sessions/c2c2c2c2c2c2c2c2c2c2c2c2`);
    await fetch(`${server.url}/no/such/route`);
    const text = await scrape();
    expect(
      value(text, 'zen_http_request_duration_seconds_count{method="GET",route="/sessions/:id",status="404"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(text).toContain('route="unmatched",status="404"');
    expect(text).not.toContain('c2c2c2c2c2c2c2c2c2c2c2c2');
  });

  it('labels a request whose target is in absolute form (http://host/path) by its route too', async () => {
    const { host } = new URL(server.url);
    const series = (route: string, status: number) =>
      `zen_http_request_duration_seconds_count{method="GET",route="${route}",status="${status}"}`;
    await fetch(`${server.url}/sessions/${ID}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"m"}' });
    const before = await scrape();
    const read = `GET http://${host}/sessions/${ID}/log?cursor=0 HTTP/1.1\r\nHost: ${host}\r\nConnection: close`;
    expect((await rawExchange(server, read)).status).toBe(200);
    const after = await scrape();
    const added = (name: string) => (value(after, name) ?? 0) - (value(before, name) ?? 0);
    expect(added(series('/sessions/:id/log', 200))).toBe(1);
    expect(added(series('unmatched', 200))).toBe(0);
  });
});
