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
