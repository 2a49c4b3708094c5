import { AppendResult, ErrorResponse, LogCursorPage, LogOffsetPage, SessionList } from '@zen/contract';
import { MemorySessionRegistry, SessionRegistry } from '@zen/log-store';
import { JSON_HEADERS, rawRequest } from '@zen/testing';
import { RunningApp, startApp } from '../testing/running-app';

const ID = '10a10a10a10a10a10a10a10a';
const ENDED = '20b20b20b20b20b20b20b20b';
/** The log the reading and format tests read, filled in the suite's beforeAll: theirs alone. */
const READ = '10a10a10a10a10a10a10a10b';
const TEXT = { 'content-type': 'text/plain' };

/** Appends to and reads from the log routes of the server at `url()`, `id` defaulting to `defaultId`. */
function logRoutes(url: () => string, defaultId: string) {
  const append = (body: string, headers: Record<string, string> = JSON_HEADERS, id = defaultId) =>
    fetch(`${url()}/sessions/${id}/log`, { method: 'POST', headers, body });
  const read = async <T>(query: string, id = defaultId) =>
    (await (await fetch(`${url()}/sessions/${id}/log${query}`)).json()) as T;
  /** The log's cursor now: one past its newest entry. */
  const cursorNow = async (id = defaultId) => (await read<LogOffsetPage>('?limit=0', id)).cursor;
  return { append, read, cursorNow };
}

describe('session logs API (real HTTP server)', () => {
  let server: RunningApp;
  let url: string;
  const { append, read, cursorNow } = logRoutes(() => url, ID);
  const expectError = async (res: Response, status: number, message: string) => {
    expect(res.status).toBe(status);
    const body = (await res.json()) as ErrorResponse;
    expect(body).toMatchObject({ statusCode: status });
    expect(JSON.stringify(body.message)).toContain(message);
  };

  beforeAll(async () => {
    server = await startApp({ LOG_CAPACITY: '8', MAX_READ_LIMIT: '50' });
    url = server.url;
    await fetch(`${url}/sessions/${ID}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"logs"}' });
    await fetch(`${url}/sessions/${ENDED}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"gone"}' });
    await append('kept after the end', TEXT, ENDED);
    await fetch(`${url}/sessions/${ENDED}`, { method: 'DELETE' });
    // 12 entries with capacity 8: seq 0–3 are evicted, and 'a' (seq 4) is the only warn or error held.
    await fetch(`${url}/sessions/${READ}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"reads"}' });
    const early = ['first', 'second', 'third'].map((message) => ({ message }));
    const rest = [
      { level: 'warn', message: 'Shader compile slow' },
      { level: 'error', message: 'a' },
      { message: 'b' },
    ];
    await append(JSON.stringify({ entries: [...early, ...rest] }), JSON_HEADERS, READ);
    await append('g\nh\ni\nj\nk\nl', TEXT, READ);
  });
  afterAll(() => server.close());

  describe('appending', () => {
    it('takes text lines as info entries: CRLF or LF, no entry for a final terminator or blank lines', async () => {
      const res = await append('first\r\nsecond\n\n   \t\nthird\n', TEXT);
      expect(res.status).toBe(200);
      expect((await res.json()) as AppendResult).toEqual({ appended: 3, cursor: 3 });
      const page = await read<LogCursorPage>('');
      expect(page.entries.map((entry) => [entry.seq, entry.level, entry.message])).toEqual([
        [0, 'info', 'first'],
        [1, 'info', 'second'],
        [2, 'info', 'third'],
      ]);
      expect(page.entries[0]).not.toHaveProperty('data');
    });

    it('takes one JSON entry or a batch, with levels, data and client times in UTC', async () => {
      const before = await cursorNow();
      expect(
        await (await append('{"level":"warn","message":"Shader compile slow","data":{"ms":5120}}')).json(),
      ).toEqual({ appended: 1, cursor: before + 1 });
      const batch = {
        entries: [
          { message: 'a', level: 'error', time: '2026-11-24T13:00:01.5+01:00' },
          { message: 'b', level: null, data: null, time: null },
        ],
      };
      expect(await (await append(JSON.stringify(batch))).json()).toEqual({ appended: 2, cursor: before + 3 });
      const page = await read<LogCursorPage>(`?cursor=${before}`);
      expect(page.entries).toEqual([
        {
          seq: before,
          time: expect.stringMatching(/Z$/),
          level: 'warn',
          message: 'Shader compile slow',
          data: { ms: 5120 },
        },
        { seq: before + 1, time: '2026-11-24T12:00:01.500Z', level: 'error', message: 'a' },
        {
          seq: before + 2,
          time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          level: 'info',
          message: 'b',
        },
      ]);
    });

    it('appends nothing from a batch with one invalid entry', async () => {
      const before = await cursorNow();
      await expectError(
        await append(JSON.stringify({ entries: [{ message: 'ok' }, { message: 'bad', level: 'fatal' }] })),
        400,
        'entries[1].level',
      );
      expect(await cursorNow()).toBe(before);
      expect((await read<LogCursorPage>(`?cursor=${before}`)).entries).toEqual([]);
    });

    it('answers 415 for other content types and charsets, 404/409/403 for the session state', async () => {
      await expectError(await append('x', { 'content-type': 'text/html' }), 415, 'text/html');
      await expectError(await append('x', { 'content-type': 'text/plain; charset=utf-16' }), 415, 'charset');
      await expectError(await append('x', TEXT, '30c30c30c30c30c30c30c30c'), 404, 'not found');
      await expectError(await append('x', TEXT, ENDED), 409, 'has ended');
    });
  });

  describe('body encodings', () => {
    const OWN = 'b0d1b0d1b0d1b0d1b0d1b0d1';
    const held = async () => (await read<{ entries: { message: string }[] }>('?cursor=0', OWN)).entries;
    beforeAll(() =>
      fetch(`${url}/sessions/${OWN}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"enc"}' }),
    );

    it('takes an empty media type parameter and a UTF-8 byte order mark (neither is part of the body)', async () => {
      const bom = '\ufeff';
      const json = await append(`${bom}{"message":"json after a BOM"}`, { 'content-type': 'application/json;' }, OWN);
      expect(json.status).toBe(200);
      const text = await append(`${bom}text after a BOM`, { 'content-type': 'text/plain; ;charset=utf-8' }, OWN);
      expect(text.status).toBe(200);
      expect((await held()).map((entry) => entry.message)).toEqual(['json after a BOM', 'text after a BOM']);
    });

    it('answers a text body of a byte order mark alone, or with line breaks, as an empty text body: nothing appended', async () => {
      const before = await held();
      const { cursor } = await read<LogCursorPage>('?cursor=0', OWN);
      for (const body of ['', '\ufeff', '\ufeff\n', '\ufeff\r\n\r\n', '\ufeff \t\n']) {
        const res = await append(body, TEXT, OWN);
        expect([body, res.status, await res.json()]).toEqual([body, 200, { appended: 0, cursor }]);
      }
      // A JSON body of the mark alone is the empty JSON body's 400, not an entry.
      for (const body of ['', '\ufeff']) {
        await expectError(await append(body, { 'content-type': 'application/json' }, OWN), 400, 'malformed JSON');
      }
      expect(await held()).toEqual(before);
    });

    it('answers 415 for a compressed body, appending nothing', async () => {
      const before = (await held()).length;
      for (const coding of ['gzip', 'br']) {
        await expectError(
          await append('{"message":"x"}', { ...JSON_HEADERS, 'content-encoding': coding }, OWN),
          415,
          `Content-Encoding ${coding} is not supported`,
        );
      }
      expect((await held()).length).toBe(before);
      const plain = await append('{"message":"plain"}', { ...JSON_HEADERS, 'content-encoding': 'identity' }, OWN);
      expect(plain.status).toBe(200);
      expect((await held()).length).toBe(before + 1);
    });

    it('names a malformed body or a charset without the control characters they quote, appending nothing', async () => {
      const before = await held();
      // V8's message quotes the body around the bad token: an ESC sequence and a bell here.
      const res = await append('\u001b[31mRED\u0007', JSON_HEADERS, OWN);
      expect(res.status).toBe(400);
      const { message } = (await res.json()) as ErrorResponse;
      expect(message).toContain('malformed JSON in request body');
      expect(message).toContain('\\u001b[31mRED\\u0007');
      // eslint-disable-next-line no-control-regex -- control characters are what this looks for
      expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
      // A charset's bytes 0x80-0x9f (obs-text; 0x9b is a C1 control, CSI) are written out, not sent raw.
      const csi = await rawRequest(`${url}/sessions/${OWN}/log`, 'POST', {
        'content-type': 'text/plain; charset="\x9b31m"',
      });
      expect([csi.status, (csi.json() as ErrorResponse).message]).toEqual([
        415,
        'charset \\u009b31m is not supported; use utf-8',
      ]);
      expect(await held()).toEqual(before);
    });

    it('answers 415 naming at most 128 characters of a Content-Type, charset or Content-Encoding, appending nothing', async () => {
      const before = await held();
      const long = 'x'.repeat(5000);
      const cases: [Record<string, string>, string][] = [
        [{ 'content-type': `text/${long}` }, 'Content-Type text/xxx'],
        [{ 'content-type': `/${long}` }, 'Content-Type "/xxx'],
        [{ 'content-type': `text/plain; charset=${long}` }, 'charset xxx'],
        [{ ...TEXT, 'content-encoding': long }, 'Content-Encoding xxx'],
      ];
      for (const [headers, start] of cases) {
        const res = await append('x', headers, OWN);
        const { message } = (await res.json()) as ErrorResponse;
        expect([res.status, message.slice(0, start.length)]).toEqual([415, start]);
        expect(message.length).toBeLessThan(250);
        expect(message).toMatch(/(expected text\/plain or application\/json|use utf-8|send the body uncompressed)$/);
      }
      expect(await held()).toEqual(before);
    });
  });

  describe('reading in cursor mode', () => {
    it('reports entries evicted before they could be read as dropped', async () => {
      const page = await read<LogCursorPage>('?cursor=2', READ);
      expect(page.dropped).toBe(2);
      expect(page.entries.map((entry) => entry.seq)).toEqual([4, 5, 6, 7, 8, 9, 10, 11]);
      expect(page.cursor).toBe(12);
      expect(await read<LogCursorPage>('?cursor=12', READ)).toEqual({ entries: [], cursor: 12, dropped: 0 });
      expect(await read<LogCursorPage>('?cursor=99', READ)).toEqual({ entries: [], cursor: 99, dropped: 0 });
    });

    it('limits the entries and points the cursor just past the last one returned', async () => {
      const page = await read<LogCursorPage>('?cursor=4&limit=3', READ);
      expect(page.entries.map((entry) => entry.seq)).toEqual([4, 5, 6]);
      expect(page.cursor).toBe(7);
    });

    it('filters by level and text, each alone and both at once, without holding the cursor back', async () => {
      const warn = await read<LogCursorPage>('?cursor=4&level=warn', READ);
      expect(warn.entries.map((entry) => entry.message)).toEqual(['a']);
      expect(warn.cursor).toBe(12);
      const text = await read<LogCursorPage>('?cursor=0&q=K', READ);
      expect(text.entries.map((entry) => entry.message)).toEqual(['k']);
      expect(text.cursor).toBe(12);
      // Both: an entry passes only when it passes each ('a' is the only error, 'k' the only K).
      const both = await read<LogCursorPage>('?cursor=0&level=info&q=K', READ);
      expect(both.entries.map((entry) => entry.message)).toEqual(['k']);
      expect(await read<LogCursorPage>('?cursor=0&level=error&q=K', READ)).toMatchObject({ entries: [], cursor: 12 });
    });
  });

  describe('reading in offset mode', () => {
    it('pages over the held entries that pass the filters', async () => {
      const page = await read<LogOffsetPage>('?offset=2&limit=3', READ);
      expect(page).toMatchObject({ total: 8, offset: 2, limit: 3, cursor: 12 });
      expect(page.entries.map((entry) => entry.seq)).toEqual([6, 7, 8]);
      expect(await read<LogOffsetPage>('?limit=2', READ)).toMatchObject({ offset: 0, limit: 2, total: 8 });
      // The default limit is 100, lowered to MAX_READ_LIMIT (50 here) so that it never exceeds what a reader may ask for.
      const defaults = await read<LogOffsetPage>('?offset=0', READ);
      expect(defaults).toMatchObject({ offset: 0, limit: 50, total: 8 });
      const filtered = await read<LogOffsetPage>('?offset=0&level=error', READ);
      expect(filtered).toMatchObject({ total: 1, cursor: 12 });
    });
  });

  describe('formats', () => {
    it('writes NDJSON with the page figures in headers', async () => {
      const res = await fetch(`${url}/sessions/${READ}/log?format=ndjson&cursor=10`);
      expect(res.headers.get('content-type')).toContain('application/x-ndjson');
      expect(res.headers.get('x-log-cursor')).toBe('12');
      expect(res.headers.get('x-log-dropped')).toBe('0');
      expect(res.headers.get('x-log-total')).toBe('8');
      const lines = (await res.text()).split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.map((line) => JSON.parse(line).message)).toEqual(['k', 'l']);
    });

    it('writes text lines as <time> <LEVEL> <message>, with newlines escaped', async () => {
      await append(JSON.stringify({ message: 'two\nlines', level: 'warn' }), JSON_HEADERS, READ);
      const res = await fetch(`${url}/sessions/${READ}/log?format=text&cursor=12`);
      expect(res.headers.get('content-type')).toContain('text/plain');
      expect(res.headers.get('x-log-cursor')).toBe('13');
      expect(await res.text()).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z WARN two\\nlines\n$/);
    });
  });

  describe('bad queries', () => {
    it.each([
      ['?cursor=', 'cursor must not be empty'],
      ['?cursor=-1', 'cursor must be a non-negative integer'],
      ['?cursor=1.5', 'cursor must be a non-negative integer'],
      ['?cursor=1&offset=0', 'cursor and offset cannot be combined'],
      ['?limit=51', 'limit must be at most 50 (MAX_READ_LIMIT)'],
      ['?level=fatal', 'level must be one of debug, info, warn, error'],
      ['?format=xml', 'format must be one of json, ndjson, text'],
      ['?q=', 'q must not be empty'],
      ['?cursor=1&cursor=2', 'cursor must be given once'],
      ['?cursor=9007199254740993', 'cursor must be at most 9007199254740991'],
      ['?q=%C3', 'q is not valid percent-encoded UTF-8'],
      ['?q=%FF%FE', 'q is not valid percent-encoded UTF-8'],
    ])('answers %s with 400', async (query, message) => {
      await expectError(await fetch(`${url}/sessions/${ID}/log${query}`), 400, message);
    });

    it('reads parameters after a thousand unknown ones (querystring stops at 1000 keys by default)', async () => {
      const unknown = 'x=1&'.repeat(1000);
      await expectError(
        await fetch(`${url}/sessions/${ID}/log?${unknown}cursor=-1`),
        400,
        'cursor must be a non-negative integer',
      );
      await expectError(
        await fetch(`${url}/sessions/${ID}/log?cursor=1&${unknown}cursor=2`),
        400,
        'cursor must be given once',
      );
    });

    it('answers the session state before the query', async () => {
      await expectError(await fetch(`${url}/sessions/30c30c30c30c30c30c30c30c/log?cursor=-1`), 404, 'not found');
    });

    it('answers a read of a missing session 404 naming the session, whatever the store says of its log', async () => {
      for (const query of ['?cursor=0', '?offset=0&limit=5', '?q=x&format=ndjson']) {
        const res = await fetch(`${url}/sessions/30c30c30c30c30c30c30c30c/log${query}`);
        expect(res.status).toBe(404);
        expect(((await res.json()) as ErrorResponse).message).toBe('session 30c30c30c30c30c30c30c30c not found');
      }
    });

    it('keeps logs of ended sessions readable', async () => {
      expect((await read<LogCursorPage>('', ENDED)).entries.map((entry) => entry.message)).toEqual([
        'kept after the end',
      ]);
    });
  });

  it('takes one request with more entries than the log holds, keeping the newest', async () => {
    const big = '40d40d40d40d40d40d40d40d';
    await fetch(`${url}/sessions/${big}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"big batch"}' });
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    expect(await (await append(lines, TEXT, big)).json()).toEqual({ appended: 20, cursor: 20 });
    const page = await read<LogCursorPage>('?cursor=0', big);
    expect(page.entries.map((entry) => entry.seq)).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
    expect(page).toMatchObject({ cursor: 20, dropped: 12 });
  });

  it('returns no entries for limit=0 from a cursor behind the held entries, moving it to the oldest held and counting the evicted as dropped', async () => {
    const behind = '41d41d41d41d41d41d41d41d';
    await fetch(`${url}/sessions/${behind}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"behind"}' });
    const lines = Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n');
    expect(await (await append(lines, TEXT, behind)).json()).toEqual({ appended: 12, cursor: 12 });
    // Seq 4-11 held (LOG_CAPACITY 8).
    expect(await read<LogCursorPage>('?cursor=1&limit=0', behind)).toEqual({ entries: [], cursor: 4, dropped: 3 });
    const res = await fetch(`${url}/sessions/${behind}/log?cursor=0&limit=0&format=ndjson`);
    expect([res.headers.get('x-log-cursor'), res.headers.get('x-log-dropped'), await res.text()]).toEqual([
      '4',
      '4',
      '',
    ]);
  });

  it('answers an append that is not UTF-8 with 400, appending nothing', async () => {
    const before = await cursorNow();
    const res = await rawRequest(`${url}/sessions/${ID}/log`, 'POST', TEXT, Buffer.from([0x61, 0xc3, 0x28]));
    expect(res.status).toBe(400);
    expect(await cursorNow()).toBe(before);
    expect((await read<LogCursorPage>(`?cursor=${before}`)).entries).toEqual([]);
  });
});

// Found by the API audit: these sentences of the contract had no end-to-end test on the
// raw log routes (their body reader and parsers are not the session routes').
describe('session log limits and edge cases (real HTTP server)', () => {
  const ID = '50e50e50e50e50e50e50e50e';
  let server: RunningApp;
  let url: string;
  const { append, read, cursorNow } = logRoutes(() => url, ID);
  const expectRefused = async (res: Response, status: number, message: string, cursorBefore: number) => {
    expect(res.status).toBe(status);
    expect(JSON.stringify(((await res.json()) as ErrorResponse).message)).toContain(message);
    expect(await cursorNow()).toBe(cursorBefore);
  };

  beforeAll(async () => {
    server = await startApp({ MAX_BODY_BYTES: '256', MAX_MESSAGE_BYTES: '16', MAX_DATA_BYTES: '20' });
    url = server.url;
    await fetch(`${url}/sessions/${ID}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"limits"}' });
  });
  afterAll(() => server.close());

  it('takes a text line of MAX_MESSAGE_BYTES UTF-8 bytes, and refuses the whole request for a longer one', async () => {
    expect(await (await append(`${'a'.repeat(16)}\n${'é'.repeat(8)}\r\n`, TEXT)).json()).toEqual({
      appended: 2,
      cursor: 2,
    });
    await expectRefused(await append(`ok\n${'é'.repeat(8)}a\n`, TEXT), 400, 'line 2 is longer than 16 bytes', 2);
  });

  it('refuses a JSON message or data over their limits, appending nothing of the batch', async () => {
    const before = await cursorNow();
    const long = JSON.stringify({ entries: [{ message: 'ok' }, { message: 'a'.repeat(17) }] });
    await expectRefused(await append(long), 400, 'entries[1].message is longer than 16 bytes', before);
    const data = JSON.stringify({ message: 'd', data: { k: 'x'.repeat(13) } }); // {"k":"…"} is 21 bytes
    await expectRefused(await append(data), 400, 'data is larger than 20 bytes', before);
    expect((await append(JSON.stringify({ message: 'd', data: { k: 'x'.repeat(12) } }))).status).toBe(200);
  });

  it('refuses data holding a number no JSON reader keeps (1e400), on either parse path, appending nothing', async () => {
    const before = await cursorNow();
    // JSON.parse reads 1e400 as Infinity, which would be stored (and read back) as null.
    await expectRefused(
      await append('{"message":"n","data":{"k":1e400}}'),
      400,
      'data.k is a number out of range',
      before,
    );
    await expectRefused(
      await append('{"entries":[{"message":"ok"},{"message":"n","data":{"a":[1,{"b":-1e999}]}}]}'),
      400,
      'entries[1].data.a[1].b is a number out of range',
      before,
    );
    expect((await append('{"message":"n","data":{"k":null}}')).status).toBe(200);
  });

  it('answers 413 for a body over MAX_BODY_BYTES, appending nothing, and takes one of exactly that size', async () => {
    const before = await cursorNow();
    const line = (bytes: number) => `${'b'.repeat(15)}\n`.repeat(bytes / 16);
    await expectRefused(await append(`${line(256)}c`, TEXT), 413, 'larger than 256 bytes', before);
    expect(await (await append(line(256), TEXT)).json()).toEqual({ appended: 16, cursor: before + 16 });
  });

  it('counts a null entries beside a message, or a null message beside entries, as absent', async () => {
    // As serialisers write an unset field (Go's nil slice, Jackson, System.Text.Json): null is absent.
    const before = await cursorNow();
    expect(await (await append('{"message":"one","level":"warn","entries":null}')).json()).toEqual({
      appended: 1,
      cursor: before + 1,
    });
    expect(await (await append('{"message":null,"entries":[{"message":"two"},{"message":"three"}]}')).json()).toEqual({
      appended: 2,
      cursor: before + 3,
    });
    const page = await read<LogCursorPage>(`?cursor=${before}`);
    expect(page.entries.map((entry) => [entry.seq, entry.level, entry.message])).toEqual([
      [before, 'warn', 'one'],
      [before + 1, 'info', 'two'],
      [before + 2, 'info', 'three'],
    ]);
    // Neither shape, or both: still refused, changing nothing.
    await expectRefused(await append('{"entries":null}'), 400, 'message is required', before + 3);
    await expectRefused(await append('{"message":"a","entries":[{"message":"b"}]}'), 400, 'not both', before + 3);
  });

  it('answers an append with no entries {"appended": 0} at the unchanged cursor', async () => {
    const before = await cursorNow();
    expect(await (await append('{"entries":[]}')).json()).toEqual({ appended: 0, cursor: before });
    expect(await (await append('', TEXT)).json()).toEqual({ appended: 0, cursor: before });
    expect(await (await append('\n \r\n\t\n', TEXT)).json()).toEqual({ appended: 0, cursor: before });
  });

  it('returns no entries for limit=0, in cursor mode and in offset mode', async () => {
    // An entry of its own, so that a cursor one behind the newest exists when run alone.
    await append('held', TEXT);
    const now = await cursorNow();
    expect(await read<LogCursorPage>(`?cursor=${now - 1}&limit=0`)).toEqual({
      entries: [],
      cursor: now - 1,
      dropped: 0,
    });
    expect(await read<LogOffsetPage>('?limit=0')).toEqual({
      entries: [],
      total: now,
      offset: 0,
      limit: 0,
      cursor: now,
    });
  });

  it('appends concurrent requests to one session contiguously, without losing or repeating an entry', async () => {
    const shared = '60f60f60f60f60f60f60f60f';
    await fetch(`${url}/sessions/${shared}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"shared"}' });
    const requests = Array.from({ length: 20 }, (_, r) =>
      append(Array.from({ length: 10 }, (_, i) => `${r}.${i}`).join('\n'), TEXT, shared),
    );
    const answers = await Promise.all(requests);
    expect(answers.map((res) => res.status)).toEqual(Array(20).fill(200));
    const page = await read<LogCursorPage>('?cursor=0&limit=1000', shared);
    expect(page.entries.map((entry) => entry.seq)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    // Each request's ten lines are consecutive, in order, and every request's come once: none
    // repeated in the place of another's.
    const requestsSeen: number[] = [];
    for (let at = 0; at < 200; at += 10) {
      const [request] = page.entries[at].message.split('.');
      expect(page.entries.slice(at, at + 10).map((entry) => entry.message)).toEqual(
        Array.from({ length: 10 }, (_, i) => `${request}.${i}`),
      );
      requestsSeen.push(Number(request));
    }
    expect(requestsSeen.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, r) => r));
  });
});

describe('session log choices where the contract is silent (real HTTP server)', () => {
  const ID = '70a70a70a70a70a70a70a70a';
  let server: RunningApp;
  let url: string;
  const { append, read } = logRoutes(() => url, ID);
  const messages = async (query: string) => (await read<LogCursorPage>(query)).entries.map((entry) => entry.message);

  beforeAll(async () => {
    server = await startApp();
    url = server.url;
    await fetch(`${url}/sessions/${ID}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"choices"}' });
  });
  afterAll(() => server.close());

  it('keeps a lone \\r in a text line, skips lines of JavaScript white space alone, and takes other characters as text', async () => {
    const blanks = ['\t\v\f', '\u00a0', '\ufeff', '\u2028\u2029', '\u1680\u2000\u200a\u202f\u205f\u3000', ' \r'];
    const texts = ['\u0000', '\u0085', '\u200b', 'a\rb'];
    const res = await append([...blanks, ...texts, '50%\r'].join('\n'), TEXT);
    expect(await res.json()).toEqual({ appended: 5, cursor: 5 });
    expect(await messages('?cursor=0')).toEqual([...texts, '50%\r']);
    // A JSON message is an entry, empty or blank.
    expect(await (await append('{"entries":[{"message":""},{"message":" \\t"}]}')).json()).toEqual({
      appended: 2,
      cursor: 7,
    });
    expect(await messages('?cursor=5')).toEqual(['', ' \t']);
  });

  it('matches q by Unicode simple case folding, without normalising, and reads + in the query as a space', async () => {
    const start = (await read<LogCursorPage>('?cursor=0')).cursor;
    const logged = ['Éclair', 'ΣΊΣΥΦΟΣ', 'Kelvin \u212a', 'Straße', 'İstanbul', 'e\u0301clair', 'C++ and C#'];
    await append(JSON.stringify({ entries: logged.map((message) => ({ message })) }));
    const found = (q: string) => messages(`?cursor=${start}&q=${q}`);
    expect(await found(encodeURIComponent('éCLAIR'))).toEqual(['Éclair']);
    expect(await found(encodeURIComponent('ς'))).toEqual(['ΣΊΣΥΦΟΣ']);
    expect(await found('kelvin%20k')).toEqual(['Kelvin \u212a']);
    expect(await found('strasse')).toEqual([]);
    expect(await found('istanbul')).toEqual([]);
    expect(await found('C%2B%2B')).toEqual(['C++ and C#']);
    expect(await found('C++')).toEqual([]); // "C  "
    expect(await found('and+C')).toEqual(['C++ and C#']);
  });

  it('writes a line break and a backslash followed by n alike in the text format, and both exactly in NDJSON', async () => {
    const { cursor } = await read<LogCursorPage>('?cursor=0');
    await append(JSON.stringify({ entries: [{ message: 'a\nb' }, { message: 'a\\nb' }, { message: 'tab\there' }] }));
    const text = await (await fetch(`${url}/sessions/${ID}/log?cursor=${cursor}&format=text`)).text();
    expect(text.split('\n').map((line) => line.split(' INFO ')[1])).toEqual(['a\\nb', 'a\\nb', 'tab\there', undefined]);
    const ndjson = await (await fetch(`${url}/sessions/${ID}/log?cursor=${cursor}&format=ndjson`)).text();
    expect(
      ndjson
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { message: string }).message),
    ).toEqual(['a\nb', 'a\\nb', 'tab\there']);
  });

  it('reads numbers with leading zeros as decimal, and refuses any other spelling', async () => {
    // Entries of its own, so that seq 10 exists when run alone.
    await append(Array.from({ length: 11 }, (_, i) => `n${i}`).join('\n'), TEXT);
    const { cursor } = await read<LogCursorPage>('?cursor=0');
    expect(cursor).toBeGreaterThan(10);
    expect((await read<LogCursorPage>('?cursor=010&limit=1')).entries.map((entry) => entry.seq)).toEqual([10]);
    for (const spelling of ['%2B10', '%2010', '1e1', '10.0', '0xa']) {
      const res = await fetch(`${url}/sessions/${ID}/log?cursor=${spelling}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ErrorResponse).message).toBe('cursor must be a non-negative integer');
    }
  });
});

describe('session log appends on the memory store (real HTTP server)', () => {
  const ID = '60f60f60f60f60f60f60f60f';
  const GONE = '70a70a70a70a70a70a70a70a';
  let server: RunningApp;
  let url: string;
  let lookups: jest.SpiedFunction<MemorySessionRegistry['getNow']>;
  const { append, read } = logRoutes(() => url, ID);
  /** How often the registry was asked for `id` since the last call. */
  const lookupsOf = (id: string) => {
    const count = lookups.mock.calls.filter(([asked]) => asked === id).length;
    lookups.mockClear();
    return count;
  };

  beforeAll(async () => {
    // The memory store whatever the run's store: its append path answers without awaiting.
    server = await startApp({ LOG_STORE: 'memory' });
    url = server.url;
    for (const id of [ID, GONE]) {
      await fetch(`${url}/sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"small"}' });
    }
    await fetch(`${url}/sessions/${GONE}`, { method: 'DELETE' });
    lookups = jest.spyOn(server.app.get(SessionRegistry) as MemorySessionRegistry, 'getNow');
  });
  afterAll(() => server.close());

  it('looks the session up once per append', async () => {
    lookupsOf(ID);
    expect(await (await append('one\ntwo\n', TEXT)).json()).toEqual({ appended: 2, cursor: 2 });
    expect(lookupsOf(ID)).toBe(1);
    expect(await (await append('{"message":"three"}')).json()).toEqual({ appended: 1, cursor: 3 });
    expect(lookupsOf(ID)).toBe(1);
  });

  it('still answers 404, 403 and 409 from that one lookup, changing nothing', async () => {
    const { serverSessionId } = (await (await fetch(`${url}/sessions/`)).json()) as SessionList;
    const cases: [string, number][] = [
      ['80b80b80b80b80b80b80b80b', 404],
      [serverSessionId, 403],
      [GONE, 409],
    ];
    for (const [id, status] of cases) {
      const before = id === GONE ? await read<LogCursorPage>('', GONE) : undefined;
      lookupsOf(id);
      expect((await append('refused\n', TEXT, id)).status).toBe(status);
      expect(lookupsOf(id)).toBe(1);
      if (before) expect(await read<LogCursorPage>('', GONE)).toEqual(before);
    }
  });
});

describe('MAX_READ_LIMIT (real HTTP server)', () => {
  const ID = '60f60f60f60f60f60f60f60a';
  let server: RunningApp;
  let url: string;
  const { append, read } = logRoutes(() => url, ID);

  beforeAll(async () => {
    server = await startApp({ MAX_READ_LIMIT: '50', LOG_CAPACITY: '100' });
    url = server.url;
    await fetch(`${url}/sessions/${ID}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"read limit"}' });
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n');
    expect(await (await append(lines, TEXT)).json()).toEqual({ appended: 60, cursor: 60 });
  });
  afterAll(() => server.close());

  it('takes a limit of exactly MAX_READ_LIMIT, in cursor and in offset mode, and answers that many entries', async () => {
    const seqs = (entries: { seq: number }[]) => entries.map((entry) => entry.seq);
    const fifty = Array.from({ length: 50 }, (_, i) => i);
    const cursorPage = await fetch(`${url}/sessions/${ID}/log?cursor=0&limit=50`);
    expect(cursorPage.status).toBe(200);
    const cursorBody = (await cursorPage.json()) as LogCursorPage;
    expect({ ...cursorBody, entries: seqs(cursorBody.entries) }).toEqual({ entries: fifty, cursor: 50, dropped: 0 });
    const offsetPage = await fetch(`${url}/sessions/${ID}/log?offset=0&limit=50`);
    expect(offsetPage.status).toBe(200);
    const offsetBody = (await offsetPage.json()) as LogOffsetPage;
    expect({ ...offsetBody, entries: seqs(offsetBody.entries) }).toEqual({
      entries: fifty,
      total: 60,
      offset: 0,
      limit: 50,
      cursor: 60,
    });
    expect((await fetch(`${url}/sessions/${ID}/log?cursor=0&limit=51`)).status).toBe(400);
    expect((await read<LogCursorPage>('?cursor=50&limit=50')).entries).toHaveLength(10);
  });
});
