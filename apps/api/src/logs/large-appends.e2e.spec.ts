import { JSON_HEADERS } from '@zen/testing';
import { RunningApp, startApp } from '../testing/running-app';

const SESSIONS = Array.from({ length: 6 }, (_, i) => `40d40d40d40d40d40d40d40${i}`);
const LINES = 5_000;

describe('large appends (real HTTP server)', () => {
  let server: RunningApp;

  beforeAll(async () => {
    server = await startApp({ LOG_CAPACITY: String(LINES) });
    for (const id of SESSIONS) {
      await fetch(`${server.url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"big"}' });
    }
  });
  afterAll(() => server.close());

  // Large request bodies are read into recycled memory (request-body.ts): one given back
  // before its append had been parsed would append another request's lines (the LOG_STORE=redis
  // run shows it: there the text is parsed after a round trip to Redis).
  it('appends each of many concurrent large bodies (text and JSON) to its own log, line for line', async () => {
    const lineOf = (k: number, i: number) => `body ${k} line ${i} ${'q'.repeat(100)}`;
    const bodyOf = (k: number) =>
      k % 2 === 0
        ? { type: 'text/plain', text: Array.from({ length: LINES }, (_, i) => lineOf(k, i)).join('\n') }
        : {
            type: 'application/json',
            text: JSON.stringify({ entries: Array.from({ length: LINES }, (_, i) => ({ message: lineOf(k, i) })) }),
          };
    const answers = await Promise.all(
      SESSIONS.map((id, k) => {
        const { type, text } = bodyOf(k);
        expect(text.length).toBeGreaterThan(512 * 1024);
        return fetch(`${server.url}/sessions/${id}/log`, {
          method: 'POST',
          headers: { 'content-type': type },
          body: text,
        });
      }),
    );
    expect(answers.map((res) => res.status)).toEqual(SESSIONS.map(() => 200));
    for (const [k, id] of SESSIONS.entries()) {
      const text = await (await fetch(`${server.url}/sessions/${id}/log?cursor=0&format=ndjson`)).text();
      const messages = text
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { message: string }).message);
      expect(messages).toEqual(Array.from({ length: LINES }, (_, i) => lineOf(k, i)));
    }
  });
});
