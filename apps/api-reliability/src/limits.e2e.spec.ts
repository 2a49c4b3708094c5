import { BuiltServer, JSON_HEADERS, oid, rawRequest } from '@zen/testing';

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
});
