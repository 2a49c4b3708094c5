import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

  // Stop 51's audit: what a Prometheus server checks of the text, after traffic a scanner sends.
  it('stays valid exposition text with a bounded number of series, whatever paths, ids and methods clients send', async () => {
    const odd = ['/a"b', '/a\\b', '/%22%5C%0A', '/sessions/"/log', '/dashboard/x"y', '/api-docs/"', '/health/"'];
    const round = async (from: number) => {
      const sent: Promise<unknown>[] = [];
      for (let i = from; i < from + 200; i++) {
        const id = i.toString(16).padStart(24, '0');
        const method = ['GET', 'POST', 'PROPFIND', 'DELETE'][i % 4];
        sent.push(fetch(`${server.url}/u${i}/"x`), fetch(`${server.url}/sessions/${id}/log`, { method }));
        sent.push(fetch(`${server.url}${odd[i % odd.length]}?q=${i}`, { method }));
      }
      await Promise.all(sent.map((request) => request.then((res) => (res as Response).arrayBuffer())));
      return checkedExposition(await scrape());
    };
    await scrape(); // so that the scrapes' own series are there from the first round on
    const first = await round(0);
    // What a busy machine did by chance between the rounds (stop 57): the first major GC of the
    // process (this test's server runs in it) adds prom-client's nodejs_gc_duration_seconds{kind="major"}.
    fullGc();
    const second = await round(1000);
    expect(second.problems).toEqual([]);
    // 600 more requests at 600 new paths and ids: the same series, only their counts grew.
    expect(second.clientSeries).toEqual(first.clientSeries);
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

/** A full (major) garbage collection of this process, without starting it with --expose-gc. */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/**
 * The exposition as a Prometheus server parses it (text format 0.0.4): HELP and TYPE at most once
 * per family and before its samples, label values escaped, no series twice, counters not negative,
 * and each histogram's buckets cumulative with `le="+Inf"` equal to `_count`. Returns the problems
 * and the server's own series (zen_*).
 */
function checkedExposition(text: string): { problems: string[]; clientSeries: string[] } {
  const problems: string[] = [];
  const families = new Map<string, { type?: string; help?: boolean; samples: number }>();
  const seen = new Set<string>();
  const histograms = new Map<string, { buckets: [number, number][]; count?: number }>();
  const familyOf = (name: string) =>
    families.get(name) ??
    families.get(name.replace(/_(bucket|sum|count)$/, '')) ??
    (problems.push(`a sample of no family: ${name}`), undefined);
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta) {
      const family = families.get(meta[2]) ?? { samples: 0 };
      families.set(meta[2], family);
      if (meta[1] === 'HELP') {
        if (family.help) problems.push(`HELP twice: ${meta[2]}`);
        family.help = true;
      } else {
        if (family.type !== undefined || family.samples > 0) problems.push(`TYPE twice or late: ${meta[2]}`);
        family.type = meta[3];
      }
      continue;
    }
    const sample =
      /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[n"\\])*",?)*)\})? (\S+)$/.exec(line);
    if (!sample) {
      problems.push(`not a sample: ${line}`);
      continue;
    }
    const [, name, labels = '', raw] = sample;
    const value = raw === '+Inf' ? Infinity : Number(raw);
    if (Number.isNaN(value)) problems.push(`not a number: ${line}`);
    if (seen.has(`${name}{${labels}}`)) problems.push(`a series twice: ${line}`);
    seen.add(`${name}{${labels}}`);
    const family = familyOf(name);
    if (!family) continue;
    family.samples++;
    if (family.type === 'counter' && !(value >= 0)) problems.push(`a counter below 0: ${line}`);
    if (family.type === 'histogram' && !name.endsWith('_sum')) {
      const le = /(?:^|,)le="([^"]*)",?/.exec(labels);
      const key = `${name.replace(/_(bucket|count)$/, '')}{${labels.replace(/(?:^|,)le="[^"]*",?/, '')}}`;
      const histogram = histograms.get(key) ?? { buckets: [] };
      histograms.set(key, histogram);
      if (name.endsWith('_count')) histogram.count = value;
      else histogram.buckets.push([le?.[1] === '+Inf' ? Infinity : Number(le?.[1]), value]);
    }
  }
  for (const [name, family] of families) if (!family.type) problems.push(`no TYPE: ${name}`);
  for (const [key, { buckets, count }] of histograms) {
    if (buckets.some(([le, n], i) => i > 0 && (le <= buckets[i - 1][0] || n < buckets[i - 1][1])))
      problems.push(`buckets not cumulative: ${key}`);
    if (buckets.at(-1)?.[0] !== Infinity || buckets.at(-1)?.[1] !== count) problems.push(`+Inf is not _count: ${key}`);
  }
  // The series requests can make are the server's own (zen_*). prom-client's process and Node
  // figures label what the process holds at the scrape: a GC kind seen for the first time adds
  // nodejs_gc_duration_seconds{kind} (9 series), and the handles and requests open at that
  // instant nodejs_active_*{type} — a busy CI run saw 9 more between two rounds.
  return { problems, clientSeries: [...seen].filter((series) => series.startsWith('zen_')).sort() };
}
