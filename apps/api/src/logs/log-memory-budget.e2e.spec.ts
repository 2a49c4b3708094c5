import { LogCursorPage, Session } from '@zen/contract';
import { JSON_HEADERS, metricIn as metric } from '@zen/testing';
import { RunningApp, startApp } from '../testing/running-app';

const TEXT = { 'content-type': 'text/plain' };
const ENDED = '30c30c30c30c30c30c30c30c';
const ACTIVE = '40d40d40d40d40d40d40d40d';
const lines = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `line ${String(from + i).padStart(8, '0')} `.padEnd(100, 'x')).join('\n');

describe('the memory budget over HTTP (LOG_MEMORY_BYTES)', () => {
  let server: RunningApp;
  const get = async <T>(path: string) => (await (await fetch(`${server.url}${path}`)).json()) as T;
  const append = (id: string, from: number, count: number) =>
    fetch(`${server.url}/sessions/${id}/log`, { method: 'POST', headers: TEXT, body: lines(from, count) });

  beforeAll(async () => {
    server = await startApp({
      LOG_CAPACITY: '100000',
      LOG_MEMORY_BYTES: String(2 * 1024 * 1024),
      LOG_MEMORY_FLOOR_ENTRIES: '10',
    });
    for (const id of [ENDED, ACTIVE]) {
      await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"b"}' });
    }
  });
  afterAll(() => server.close());

  it("evicts the ended session's log first, reporting it as today (logCount, dropped, metrics)", async () => {
    expect((await append(ENDED, 0, 5000)).status).toBe(200);
    await fetch(`${server.url}/sessions/${ENDED}`, { method: 'DELETE' });
    // The server's own session holds a little too; 4 x 5,000 entries of 100 bytes pass 2 MiB.
    for (let i = 0; i < 4; i++) expect((await append(ACTIVE, i * 5000, 5000)).status).toBe(200);

    const ended = await get<Session>(`/sessions/${ENDED}`);
    expect([ended.logCursor, ended.logCount < 5000]).toEqual([5000, true]);
    const page = await get<LogCursorPage>(`/sessions/${ENDED}/log?cursor=0`);
    expect(page.dropped).toBe(5000 - ended.logCount);
    expect(page.entries.length).toBe(ended.logCount);

    const active = await get<Session>(`/sessions/${ACTIVE}`);
    const tail = await get<LogCursorPage>(`/sessions/${ACTIVE}/log?cursor=${active.logCursor - active.logCount}`);
    expect(tail.entries.map((entry) => entry.seq)).toEqual(
      Array.from({ length: active.logCount }, (_, i) => active.logCursor - active.logCount + i),
    );

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(metrics, 'zen_log_memory_limit_bytes')).toBe(2 * 1024 * 1024);
    expect(metric(metrics, 'zen_log_memory_floor_entries')).toBe(10);
    expect(metric(metrics, 'zen_log_memory_bytes')).toBeLessThanOrEqual(2 * 1024 * 1024);
    expect(metric(metrics, 'zen_log_entries_evicted_total{level="info"}')).toBeGreaterThan(0);
  });

  it('refuses to start with a budget below 1 MiB or a malformed floor', async () => {
    await expect(startApp({ LOG_MEMORY_BYTES: '1000' })).rejects.toThrow(/LOG_MEMORY_BYTES/);
    await expect(startApp({ LOG_MEMORY_FLOOR_ENTRIES: '-1' })).rejects.toThrow(/LOG_MEMORY_FLOOR_ENTRIES/);
  });
});
