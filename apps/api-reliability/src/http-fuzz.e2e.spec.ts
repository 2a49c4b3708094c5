import fc from 'fast-check';
import { BuiltServer, JSON_HEADERS, oid, rawRequest } from '@zen/testing';

const CAPACITY = 20;

/** What a request must never change when it is rejected, and what must only grow. */
interface Snapshot {
  sessions: Map<
    string,
    {
      status: string;
      logCursor: number;
      logCount: number;
      metadata: string;
      appname: string;
      mode: string;
      jobid: string | null;
    }
  >;
}

// Property-based fuzzing of every endpoint against the built server: generated and
// mutated ids, queries, bodies, content types and methods. Invariants: no 5xx, the
// error shape on every 4xx, rejected requests change nothing, seq contiguous,
// logCount <= capacity, logCursor never decreases, and the process stays up.
describe('HTTP fuzzing (fast-check, real server)', () => {
  let server: BuiltServer;
  let serverSessionId: string;
  const known = [oid(0xa1), oid(0xa2), oid(0xa3)];

  beforeAll(async () => {
    // Few sessions at most, so that reading the whole state back after each request stays cheap.
    server = await BuiltServer.start({
      LOG_CAPACITY: String(CAPACITY),
      MAX_BODY_BYTES: '65536',
      MAX_MESSAGE_BYTES: '4096',
      MAX_BATCH_ENTRIES: '50',
      MAX_SESSIONS: '200',
      SESSIONS_RETAIN_ENDED: '50',
    });
    for (const id of known) {
      await fetch(`${server.url}/sessions/${id}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ appname: 'fuzz', metadata: { k: 1 } }),
      });
      await fetch(`${server.url}/sessions/${id}/log`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: 'a\nb\nc',
      });
    }
    await fetch(`${server.url}/sessions/${known[2]}`, { method: 'DELETE' });
    serverSessionId = (await (await fetch(`${server.url}/sessions/`)).json()).serverSessionId;
  });

  afterAll(() => server.stop());

  async function snapshot(): Promise<Snapshot> {
    const list = await (await fetch(`${server.url}/sessions/?status=all`)).json();
    const sessions = new Map();
    for (const s of list.sessions) {
      if (s.id === serverSessionId) continue; // it logs what the server does
      sessions.set(s.id, {
        status: s.status,
        logCursor: s.logCursor,
        logCount: s.logCount,
        metadata: JSON.stringify(s.metadata),
        appname: s.appname,
        mode: s.mode,
        jobid: s.jobid,
      });
    }
    return { sessions };
  }

  const hex = fc.constantFrom(...'0123456789abcdefABCDEF'.split(''));
  const id = fc.oneof(
    fc.constantFrom(...known, 'SERVER', oid(0xdead)),
    fc.constantFrom(...known).map((value) => value.toUpperCase()),
    fc.array(hex, { minLength: 0, maxLength: 30 }).map((chars) => chars.join('')),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.constantFrom('..', '%2e%2e', 'ws', '%00', '%E0%A4%A', 'a'.repeat(300), ''),
  );
  const path = fc.oneof(
    fc.constant('/sessions/'),
    fc.constant('/sessions'),
    id.map((value) => `/sessions/${value}`),
    id.map((value) => `/sessions/${value}/log`),
    fc.string({ maxLength: 30 }).map((value) => `/${encodeURIComponent(value)}`),
  );
  const queryValue = fc.oneof(
    fc.constantFrom(
      '',
      '0',
      '1',
      '-1',
      '1.5',
      '99999999999999999999',
      '10001',
      'abc',
      'json',
      'ndjson',
      'text',
      'warn',
      'all',
      'ended',
    ),
    fc.string({ maxLength: 10 }),
  );
  const query = fc
    .array(fc.tuple(fc.constantFrom('cursor', 'offset', 'limit', 'level', 'q', 'format', 'status', 'x'), queryValue), {
      maxLength: 4,
    })
    .map((pairs) => (pairs.length ? '?' + pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&') : ''));
  const entry = fc.record(
    {
      message: fc.oneof(fc.string({ maxLength: 50 }), fc.constant('x'.repeat(5000)), fc.integer(), fc.constant(null)),
      level: fc.oneof(
        fc.constantFrom('debug', 'info', 'warn', 'error', 'fatal', 'INFO', '__proto__'),
        fc.constant(null),
        fc.integer(),
      ),
      data: fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant({ __proto__: { polluted: true } })),
      time: fc.oneof(
        fc.constantFrom('2026-11-24T12:00:00Z', '2026-02-30T00:00:00Z', 'now', ''),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
    },
    { requiredKeys: [] },
  );
  const jsonBody = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }),
    entry,
    fc.record({ entries: fc.array(entry, { maxLength: 60 }) }),
    fc.record(
      {
        appname: fc.oneof(fc.string({ maxLength: 300 }), fc.constant(null)),
        mode: fc.string({ maxLength: 5 }),
        jobid: fc.oneof(fc.string(), fc.constant(null)),
        metadata: fc.jsonValue({ maxDepth: 3 }),
      },
      { requiredKeys: [] },
    ),
  );
  const body = fc.oneof(
    jsonBody.map((value) => Buffer.from(JSON.stringify(value) ?? '')),
    fc.string({ maxLength: 200 }).map((value) => Buffer.from(value)),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    fc.constant(Buffer.from('['.repeat(5000))),
    fc.constant(Buffer.from(`{"a":${'['.repeat(2000)}1${']'.repeat(2000)}}`)),
    fc.constant(
      Buffer.from(
        JSON.stringify({ appname: 'deep', metadata: JSON.parse(`${'{"a":'.repeat(900)}1${'}'.repeat(900)}`) }),
      ),
    ),
    fc.constant(Buffer.alloc(70_000, 0x61)),
    fc.constant(Buffer.alloc(0)),
  );
  const contentType = fc.oneof(
    fc.constantFrom(
      'application/json',
      'text/plain',
      'application/json; charset=utf-8',
      'text/plain; charset=latin1',
      'text/html',
      'application/octet-stream',
      ';;',
      '',
    ),
    fc.string({ maxLength: 20 }),
  );
  const request = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'),
    path,
    query,
    contentType,
    body,
  });

  it('keeps every invariant over generated requests', async () => {
    let last = await snapshot();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType.replace(/[^\t\x20-\x7e]/g, '');
        const withBody = r.method !== 'GET' && r.method !== 'HEAD';
        // Declared lengths keep every request well-formed HTTP; what Node's parser does
        // with malformed framing is covered on its own (sessions.e2e.spec.ts).
        if (withBody) headers['content-length'] = String(r.body.length);
        const target = r.path.replace('SERVER', serverSessionId);
        const answer = await rawRequest(
          `${server.url}${target}${r.query}`,
          r.method,
          headers,
          withBody ? r.body : undefined,
        );
        expect(answer.status).toBeLessThan(500);
        if (answer.status >= 400 && r.method !== 'HEAD') {
          let error;
          try {
            error = JSON.parse(answer.body.toString());
          } catch {
            throw new Error(
              `${r.method} ${target}${r.query} answered ${answer.status} with a body that is not JSON: ${JSON.stringify(answer.body.toString().slice(0, 200))}`,
            );
          }
          expect(error.statusCode).toBe(answer.status);
          expect(typeof error.error).toBe('string');
          expect(typeof error.message === 'string' || Array.isArray(error.message)).toBe(true);
          expect(answer.body.toString()).not.toMatch(/\bat [\w.<>]+ \(|node_modules|\.ts:\d+/);
        }
        const now = await snapshot();
        for (const [sessionId, before] of last.sessions) {
          const after = now.sessions.get(sessionId);
          if (!after) continue; // forgotten by retention
          expect(after.logCursor).toBeGreaterThanOrEqual(before.logCursor);
          expect(after.logCount).toBeLessThanOrEqual(CAPACITY);
          if (answer.status >= 400) expect(after).toEqual(before);
        }
        if (answer.status >= 400) expect(now.sessions.size).toBe(last.sessions.size);
        last = now;
      }),
      {
        numRuns: Number(process.env['FUZZ_RUNS'] ?? 400),
        seed: Number(process.env['FUZZ_SEED'] ?? Date.now() % 100_000),
      },
    );
    expect(server.alive).toBe(true);
  });

  it('leaves every log with contiguous seqs and counters that agree', async () => {
    const list = await (await fetch(`${server.url}/sessions/?status=all`)).json();
    for (const s of list.sessions) {
      const page = await (await fetch(`${server.url}/sessions/${s.id}/log?cursor=0&limit=10000`)).json();
      const seqs = page.entries.map((e: { seq: number }) => e.seq);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => s.logCursor - s.logCount + i));
      expect(s.logCount).toBeLessThanOrEqual(CAPACITY);
      expect(page.dropped).toBe(s.logCursor - s.logCount);
    }
  });

  it('keeps prototype-polluting keys inert in metadata and log data', async () => {
    const id = oid(0xb0);
    const polluting =
      '{"appname":"p","metadata":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}}';
    expect(
      (await rawRequest(`${server.url}/sessions/${id}`, 'POST', JSON_HEADERS, Buffer.from(polluting))).status,
    ).toBe(201);
    const entryBody = '{"message":"m","data":{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}}';
    expect(
      (await rawRequest(`${server.url}/sessions/${id}/log`, 'POST', JSON_HEADERS, Buffer.from(entryBody))).status,
    ).toBe(200);
    const page = await (await fetch(`${server.url}/sessions/${id}/log`)).text();
    expect(page).toContain('"__proto__":{"polluted":1}');
    // The server still behaves: objects it builds afterwards have no "polluted" property.
    const fresh = await (await fetch(`${server.url}/sessions/${oid(0xdead)}`)).json();
    expect(fresh.polluted).toBeUndefined();
    const listed = await (await fetch(`${server.url}/sessions/?status=all`)).json();
    expect(listed.polluted).toBeUndefined();
    expect(listed.sessions.every((s: Record<string, unknown>) => s['polluted'] === undefined)).toBe(true);
  });
});
