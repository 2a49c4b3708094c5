import { rawExchange, rawUpgrade } from '../testing/raw-socket';
import { RunningApp, startApp } from '../testing/running-app';
import { AllowedHosts, isLoopbackHost } from './allowed-hosts';

describe('AllowedHosts', () => {
  const allows = (hosts: AllowedHosts, host: string | undefined) => hosts.problem(host) === undefined;

  it('takes only local names by default on a loopback address', () => {
    const hosts = AllowedHosts.of([], '127.0.0.1');
    for (const local of ['127.0.0.1:8558', 'localhost:8558', 'LOCALHOST', 'localhost.', 'app.localhost:4200']) {
      expect([local, allows(hosts, local)]).toEqual([local, true]);
    }
    for (const local of ['[::1]:8558', '[::1]', '10.0.0.5:80', 'zen-upstream', 'build01:8558', undefined]) {
      expect([local, allows(hosts, local)]).toEqual([local, true]);
    }
    for (const other of ['evil.example', 'evil.example:8558', 'EVIL.example.', '127.0.0.1.nip.io', '[zz]:80']) {
      expect([other, allows(hosts, other)]).toEqual([other, false]);
    }
  });

  it('takes any name by default on a network address, and only listed and local ones when ALLOWED_HOSTS names some', () => {
    expect(allows(AllowedHosts.of([], '0.0.0.0'), 'evil.example')).toBe(true);
    expect(allows(AllowedHosts.of([], '::'), 'evil.example')).toBe(true);
    const listed = AllowedHosts.of(['Tools.Studio.Example'], '0.0.0.0');
    expect(allows(listed, 'tools.studio.example:443')).toBe(true);
    expect(allows(listed, '127.0.0.1:8558')).toBe(true);
    expect(allows(listed, 'evil.example')).toBe(false);
    expect(allows(AllowedHosts.of(['*'], '127.0.0.1'), 'evil.example')).toBe(true);
  });

  it('names the host and the setting in its 403', () => {
    expect(AllowedHosts.of(['tools.studio.example'], '127.0.0.1').problem('Evil.Example:8558')).toEqual({
      status: 403,
      message: expect.stringMatching(
        /host name "evil\.example".*tools\.studio\.example.*add the name to ALLOWED_HOSTS/,
      ),
    });
  });

  it('knows loopback listen addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost', '::ffff:127.0.0.1'].map(isLoopbackHost)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['0.0.0.0', '::', '10.0.0.5', 'build01.example'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });
});

// Found by review: a page of any site whose name its DNS turns to 127.0.0.1 (DNS rebinding) is, to
// the browser, of the same origin as the server: it could read every session and log of a
// workstation's server over HTTP and follow them over the WebSocket (its Origin matched its Host).
describe('the host names the running app answers to', () => {
  let server: RunningApp;
  afterEach(() => server?.close());

  const root = () => new URL(server.url).pathname.replace(/\/$/, '');
  const request = (method: string, path: string, host: string, body = '') =>
    rawExchange(
      server,
      [
        `${method} ${root()}${path} HTTP/1.1`,
        `Host: ${host}`,
        'Connection: close',
        'Content-Type: application/json',
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n'),
    );

  it('refuses a request and a WebSocket for another host name with 403 naming ALLOWED_HOSTS, and changes nothing', async () => {
    server = await startApp();
    const read = await request('GET', '/sessions', 'evil.example:8558');
    expect(read.status).toBe(403);
    expect(read.headers['x-content-type-options']).toBe('nosniff');
    expect(JSON.parse(read.body)).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      message: expect.stringContaining('ALLOWED_HOSTS'),
    });
    const id = 'a0a0a0a0a0a0a0a0a0a0a0a0';
    expect((await request('POST', `/sessions/${id}`, 'evil.example', '{"appname":"x"}')).status).toBe(403);
    expect((await fetch(`${server.url}/sessions/${id}`)).status).toBe(404);
    const page = { Host: 'evil.example:8558', Origin: 'http://evil.example:8558' };
    const upgrade = await rawUpgrade(server, `${root()}/sessions/ws`, page);
    expect([upgrade.status, JSON.parse(upgrade.body).message]).toEqual([403, expect.stringContaining('ALLOWED_HOSTS')]);
  });

  it('answers a host name ALLOWED_HOSTS lists, and any name on a network address', async () => {
    server = await startApp({ ALLOWED_HOSTS: 'tools.studio.example' });
    expect((await request('GET', '/sessions', 'tools.studio.example')).status).toBe(200);
    expect((await request('GET', '/sessions', 'evil.example')).status).toBe(403);
    await server.close();
    server = await startApp({ HOST: '0.0.0.0' });
    expect((await request('GET', '/sessions', 'tools.studio.example')).status).toBe(200);
  });

  // Found by the stop-50 configuration audit: `HOST=127.1` listens on 127.0.0.1, as does a name
  // the hosts file maps to a loopback address (Debian's own host name: 127.0.1.1), but HOST's
  // text was read as a network address's, so every name was answered, rebinding pages included.
  it('refuses other host names on a loopback address HOST writes in another form', async () => {
    server = await startApp({ HOST: '127.1' });
    expect(new URL(server.url).hostname).toBe('127.0.0.1');
    const read = await request('GET', '/sessions', 'evil.example');
    expect([read.status, JSON.parse(read.body).message]).toEqual([403, expect.stringContaining('ALLOWED_HOSTS')]);
    const page = { Host: 'evil.example', Origin: 'http://evil.example' };
    expect((await rawUpgrade(server, `${root()}/sessions/ws`, page)).status).toBe(403);
    expect((await request('GET', '/sessions', 'localhost')).status).toBe(200);
  });
});
