import { Socket, connect } from 'node:net';
import { BuiltServer, eventually, JSON_HEADERS, oid, rawRequest } from '@zen/testing';

describe('limits and odd paths (real server)', () => {
  let server: BuiltServer;
  beforeAll(
    async () =>
      (server = await BuiltServer.start({
        MAX_SESSIONS: '3',
        MAX_BATCH_ENTRIES: '5',
        MAX_BODY_BYTES: '2048',
        MAX_METADATA_KEYS: '2',
        MAX_MESSAGE_BYTES: '64',
        MAX_DATA_BYTES: '32',
      })),
  );
  afterAll(() => server.stop());

  const post = (path: string, body: string, type = 'application/json') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  const expectClear = async (res: Response, status: number, mention: string) => {
    expect(res.status).toBe(status);
    const body = await res.json();
    expect(body).toMatchObject({ statusCode: status });
    expect(JSON.stringify(body.message)).toContain(mention);
  };

  it('answers each limit with a clear 4xx', async () => {
    const id = oid(0x2a1);
    await expectClear(
      await post(`/sessions/${id}`, JSON.stringify({ appname: 'a', metadata: { a: 1, b: 2, c: 3 } })),
      400,
      'metadata has 3 keys',
    );
    expect((await post(`/sessions/${id}`, '{"appname":"a"}')).status).toBe(201);
    await expectClear(await post(`/sessions/${id}/log`, 'x'.repeat(3000), 'text/plain'), 413, 'MAX_BODY_BYTES');
    await expectClear(
      await post(
        `/sessions/${id}/log`,
        JSON.stringify({ entries: Array.from({ length: 6 }, () => ({ message: 'm' })) }),
      ),
      413,
      'MAX_BATCH_ENTRIES',
    );
    await expectClear(await post(`/sessions/${id}/log`, 'y'.repeat(65), 'text/plain'), 400, 'MAX_MESSAGE_BYTES');
    await expectClear(
      await post(`/sessions/${id}/log`, JSON.stringify({ message: 'm', data: { text: 'z'.repeat(40) } })),
      400,
      'MAX_DATA_BYTES',
    );
    expect((await (await fetch(`${server.url}/sessions/${id}`)).json()).logCursor).toBe(0);
  });

  it('answers 429 beyond MAX_SESSIONS active sessions, and accepts again once one ends', async () => {
    const ids = [oid(0x2b1), oid(0x2b2), oid(0x2b3)];
    // One active session exists from the test above; the server's own does not count.
    expect((await post(`/sessions/${ids[0]}`, '{"appname":"a"}')).status).toBe(201);
    expect((await post(`/sessions/${ids[1]}`, '{"appname":"a"}')).status).toBe(201);
    await expectClear(await post(`/sessions/${ids[2]}`, '{"appname":"a"}'), 429, 'MAX_SESSIONS');
    expect((await fetch(`${server.url}/sessions/${ids[2]}`)).status).toBe(404);
    await fetch(`${server.url}/sessions/${ids[0]}`, { method: 'DELETE' });
    expect((await post(`/sessions/${ids[2]}`, '{"appname":"a"}')).status).toBe(201);
  });

  it.each([
    '/dashboard/../package.json',
    '/dashboard/%2e%2e/%2e%2e/package.json',
    '/dashboard/..%2f..%2fpackage.json',
    '/dashboard/%2e%2e%5c%2e%2e%5cpackage.json',
    '/dashboard/.env',
    '/dashboard/%00',
    '/dashboard/%E0%A4%A',
    '/dashboard//etc/passwd',
    '/dashboard/' + 'a/'.repeat(500) + 'x.js',
  ])('never serves files outside the dashboard for %s', async (path) => {
    const answer = await rawRequest(`${server.url}${path}`, 'GET', {});
    expect(answer.status).toBeLessThan(500);
    const text = answer.body.toString();
    expect(text).not.toContain('"devDependencies"');
    expect(text).not.toContain('root:x:0:0');
    if (answer.status >= 400) expect(JSON.parse(text)).toMatchObject({ statusCode: answer.status });
  });

  it('answers without stack traces or internals', async () => {
    const answers = await Promise.all([
      rawRequest(`${server.url}/sessions/${oid(1)}`, 'POST', JSON_HEADERS, Buffer.from('{"appname": [}')),
      rawRequest(`${server.url}/sessions/%E0%A4%A`, 'GET', {}),
      rawRequest(`${server.url}/sessions/${oid(1)}/log?cursor=-1`, 'GET', {}),
    ]);
    for (const answer of answers) {
      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.body.toString()).not.toMatch(/\bat \S+ \(|node_modules|stack/i);
    }
  });
  it('answers 503 to a body past MAX_INCOMING_BODY_BYTES of bodies being received at once, and reads the others', async () => {
    const own = await BuiltServer.start({ MAX_INCOMING_BODY_BYTES: String(4 * 1024 * 1024) });
    const sockets: Socket[] = [];
    try {
      const id = oid(0x2b1);
      const created = await fetch(`${own.url}/sessions/${id}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: '{"appname":"bodies"}',
      });
      expect(created.status).toBe(201);
      // 1,048 lines of 1,000 bytes: just under MAX_BODY_BYTES (1 MiB); four fit in 4 MiB, five do not.
      const body = Buffer.from(`${'b'.repeat(999)}\n`.repeat(1048));
      const answers: string[] = [];
      // Ten appends, each sent but for its last byte: without the limit the server held all ten
      // bodies, as long as Node's requestTimeout (300 s), and MAX_CONNECTIONS of them 10 GB.
      for (let i = 0; i < 10; i++) {
        const socket = connect(own.port, '127.0.0.1');
        sockets.push(socket);
        answers.push('');
        socket.on('data', (data) => (answers[i] += data.toString()));
        socket.on('error', () => undefined);
        socket.write(
          `POST /sessions/${id}/log HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n`,
        );
        socket.write(body.subarray(0, body.length - 1));
      }
      const refused = () => answers.filter((answer) => answer.startsWith('HTTP/1.1 503')).length;
      await eventually(() => refused() >= 6, 60_000, 'six bodies refused');
      for (const answer of answers.filter((each) => each.startsWith('HTTP/1.1 503'))) {
        expect(answer).toMatch(/\r\nretry-after: 1\r\n/i);
        expect(answer).toContain('MAX_INCOMING_BODY_BYTES (4194304)');
      }
      // The bodies let in are read whole once their last byte comes, and appended.
      const held = answers.map((answer, i) => (answer === '' ? i : -1)).filter((i) => i >= 0);
      expect(held.length).toBeLessThanOrEqual(4);
      for (const i of held) sockets[i].write(body.subarray(body.length - 1));
      await eventually(
        () => held.every((i) => answers[i].startsWith('HTTP/1.1 200')),
        60_000,
        'the held bodies appended',
      );
      // Nothing is counted any more: a body alone, and then four at once, get in.
      const append = () =>
        fetch(`${own.url}/sessions/${id}/log`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body });
      expect((await append()).status).toBe(200);
      const statuses = await Promise.all(
        [append(), append(), append(), append()].map(async (res) => (await res).status),
      );
      expect(statuses).toEqual([200, 200, 200, 200]);
    } finally {
      for (const socket of sockets) socket.destroy();
      await own.stop();
    }
  });
});
