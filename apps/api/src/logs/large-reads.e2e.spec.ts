import { get } from 'node:http';
import { JSON_HEADERS } from '@zen/testing';
import { RunningApp, startApp } from '../testing/running-app';

const SESSIONS = ['30c30c30c30c30c30c30c301', '30c30c30c30c30c30c30c302', '30c30c30c30c30c30c30c303'];
const ENTRIES = 10_000;
// ~7 MB a download: more than the kernel takes into a loopback socket (4 MiB of send buffer
// and the paused reader's window), so the server's write is still under way in the process.

/**
 * A download that waits before it reads, as a client on a slow link would: the server's write
 * of a body larger than the sockets' buffers is still under way while other reads are answered.
 */
function slowDownload(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      const chunks: Buffer[] = [];
      res.pause();
      setTimeout(() => res.resume(), 300);
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('large reads (real HTTP server)', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp({ LOG_CAPACITY: String(ENTRIES) });
    for (const [k, id] of SESSIONS.entries()) {
      await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"big"}' });
      for (let from = 0; from < ENTRIES; from += 1_000) {
        const lines = Array.from({ length: 1_000 }, (_, i) => `session ${k} line ${from + i} ${'z'.repeat(680)}`);
        const res = await fetch(`${server.url}/sessions/${id}/log`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: lines.join('\n'),
        });
        expect(res.status).toBe(200);
      }
    }
  }, 60_000);
  afterAll(() => server.close());

  // Large bodies are written into recycled memory (body-buffers.ts): one given back before its
  // response was written out would carry another read's bytes.
  it('answers every one of many concurrent, slowly read downloads with its own log, byte for byte', async () => {
    const urls = SESSIONS.flatMap((id) =>
      ['ndjson', 'text'].map((format) => `${server.url}/sessions/${id}/log?cursor=0&format=${format}`),
    );
    const expected = new Map<string, string>();
    for (const url of urls) expected.set(url, await (await fetch(url)).text());
    for (const [url, body] of expected) {
      expect(body.split('\n').filter(Boolean)).toHaveLength(ENTRIES);
      expect(body).toContain(`session ${SESSIONS.findIndex((id) => url.includes(id))} line 9999 `);
    }
    const rounds = [...urls, ...urls];
    const bodies = await Promise.all(rounds.map((url) => slowDownload(url)));
    const wrong = rounds.filter((url, i) => bodies[i] !== expected.get(url));
    expect(wrong).toEqual([]);
  }, 120_000);
});
