import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunningApp, startApp } from '../testing/running-app';
import { rawExchange } from '../testing/raw-socket';

/** Where `target`, sent byte for byte, is redirected to (null: not redirected). */
async function locationOf(server: RunningApp, target: string): Promise<string | null> {
  const { host } = new URL(server.url);
  const answer = await rawExchange(server, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close`);
  return answer.status >= 300 && answer.status < 400 ? answer.headers['location'] : null;
}

describe('DashboardController', () => {
  describe('redirects', () => {
    let server: RunningApp;
    beforeAll(async () => (server = await startApp()));
    afterAll(() => server.close());

    // Found by the audit: both answered `Location: /dashboard/`, dropping the dashboard's state.
    it('keeps the query string of / and /dashboard', async () => {
      const root = await fetch(`${server.url}/?status=ended`, { redirect: 'manual' });
      expect([root.status, root.headers.get('location')]).toEqual([302, '/dashboard/?status=ended']);
      const page = await fetch(`${server.url}/dashboard?status=ended&q=a%20b`, { redirect: 'manual' });
      expect([page.status, page.headers.get('location')]).toEqual([301, '/dashboard/?status=ended&q=a%20b']);
    });

    it('never lets a crafted request move the Location off the dashboard', async () => {
      for (const target of [
        '/?//evil.example',
        '/?x=//evil.example',
        '/dashboard?@evil.example',
        '//?//evil.example',
        '/dashboard?\\\\evil',
      ]) {
        expect([target, await locationOf(server, target)]).toEqual([target, expect.stringMatching(/^\/dashboard\/\?/)]);
      }
      for (const target of ['//evil.example', '//evil.example/dashboard', '/\\evil.example?x']) {
        expect([target, await locationOf(server, target)]).not.toEqual([target, expect.stringMatching(/^\/[/\\]/)]);
      }
    });
  });

  describe('under BASE_PATH', () => {
    let server: RunningApp;
    beforeAll(async () => (server = await startApp({ BASE_PATH: '/zen' })));
    afterAll(() => server.close());

    it('keeps the query string of the prefix root and of /dashboard', async () => {
      const root = await fetch(`${server.url}/?status=ended`, { redirect: 'manual' });
      expect([root.status, root.headers.get('location')]).toEqual([302, '/zen/dashboard/?status=ended']);
      const page = await fetch(`${server.url}/dashboard?status=ended`, { redirect: 'manual' });
      expect([page.status, page.headers.get('location')]).toEqual([301, '/zen/dashboard/?status=ended']);
    });
  });
});

describe('without a built dashboard (DASHBOARD_DIR unset, nothing built: the placeholder page)', () => {
  let server: RunningApp;
  beforeAll(async () => (server = await startApp()));
  afterAll(() => server.close());

  it('serves the placeholder for the page and its deep links', async () => {
    for (const path of ['/dashboard/', '/dashboard/sessions/abc']) {
      const res = await fetch(`${server.url}${path}`);
      expect([path, res.status, res.headers.get('content-type')]).toEqual([path, 200, 'text/html; charset=utf-8']);
      expect(await res.text()).toContain('The dashboard has not been built');
    }
  });

  // Found by the audit: /dashboard/main.js answered 200 text/html, the placeholder.
  it('answers any other file 404 in the error shape', async () => {
    const res = await fetch(`${server.url}/dashboard/main.js`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'no such file: /main.js' });
  });

  it('names at most 128 characters of a missing file in its 404', async () => {
    const res = await fetch(`${server.url}/dashboard/${'z'.repeat(5000)}.js`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { message: string }).message).toBe(`no such file: /${'z'.repeat(127)}…`);
  });
});

describe('with a built dashboard', () => {
  let server: RunningApp;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'zen-dashboard-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><base href="/"><p>built</p>');
    writeFileSync(join(dir, 'main.js'), 'void 0;');
    writeFileSync(join(dir, 'main-3QB2GZ6R.js'), 'void 0;');
    writeFileSync(join(dir, 'favicon.ico'), 'icon');
    server = await startApp({ DASHBOARD_DIR: dir });
  });
  afterAll(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // Found by the HTTP audit: `send` answered these 403 with the message "Forbidden".
  it('answers a path with a ".." segment or a dot file 404, saying why, not a bare "Forbidden"', async () => {
    for (const path of ['/dashboard/../sessions/', '/dashboard/.env', '/dashboard/a/..%2f..%2fx.js']) {
      const answer = await rawExchange(server, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close`);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(JSON.parse(answer.body)).toMatchObject({ message: expect.stringContaining('".." segment') });
    }
  });

  // Found by the README audit: `send` resolves a ".." after a segment away before it looks for
  // one, so `/dashboard/a/..` reached the build's folder itself (500) and `/dashboard/a/../index.html`
  // the page from disk, without its base href.
  it('answers a ".." segment after another segment 404 too, never 500 or the page from disk', async () => {
    for (const path of [
      '/dashboard/a/..',
      '/dashboard/a/../',
      '/dashboard/a/../index.html',
      '/dashboard/a/%2e%2e/main.js',
    ]) {
      const answer = await rawExchange(server, `GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close`);
      expect([path, answer.status]).toEqual([path, 404]);
      expect(JSON.parse(answer.body)).toMatchObject({ message: expect.stringContaining('".." segment') });
    }
  });

  it('serves its files with the page headers', async () => {
    const res = await fetch(`${server.url}/dashboard/main.js`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  });

  // Found by the operator audit: /dashboard/index.html came from disk as an asset, kept a year
  // (immutable) by browsers and without its base href; so were favicon.ico and the other unhashed files.
  it('has browsers ask again for the page however it is named, and keep only the hashed files', async () => {
    for (const path of ['/dashboard/', '/dashboard/index.html', '/dashboard/sessions/abc', '/dashboard/favicon.ico']) {
      const res = await fetch(`${server.url}${path}`);
      expect([path, res.status, res.headers.get('cache-control')]).toEqual([path, 200, 'no-cache']);
    }
    expect(await (await fetch(`${server.url}/dashboard/index.html`)).text()).toContain('<base href="/dashboard/">');
    const hashed = await fetch(`${server.url}/dashboard/main-3QB2GZ6R.js`);
    expect(hashed.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  // Found by the audit: the JSON 404 carried the page's CSP, X-Frame-Options and Helmet's rest.
  it("answers a missing file 404 in the error shape with the API's headers, not the page's", async () => {
    const res = await fetch(`${server.url}/dashboard/missing.js`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ statusCode: 404, error: 'Not Found', message: 'no such file: /missing.js' });
    expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    for (const name of ['referrer-policy', 'cross-origin-opener-policy', 'origin-agent-cluster', 'x-xss-protection'])
      expect([name, res.headers.get(name)]).toEqual([name, null]);
  });
});
