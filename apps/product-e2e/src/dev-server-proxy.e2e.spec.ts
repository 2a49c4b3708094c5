import { BuiltServer, Child, freePort, JSON_HEADERS, launchChromium, REPO, waitUntilServing } from '@zen/testing';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Browser } from 'playwright-core';

const CREATED = 'd5d5d5d5d5d5d5d5d5d5d5d5';

/**
 * `npx nx serve dashboard` as the README's Development section runs it, with ZEN_SESSIONS_URL
 * naming a built API on another port: its proxy (apps/dashboard/proxy.conf.cjs) passes the page's
 * Host on, so the page's WebSocket passes the server's Origin check (a proxy that set Host to the
 * API's own, as `changeOrigin` does, would have it refused with 403).
 */
describe('the dashboard dev server (nx serve dashboard) proxying to an API at ZEN_SESSIONS_URL', () => {
  let server: BuiltServer;
  let devServer: Child;
  let dashboard: string;
  let browser: Browser;

  beforeAll(async () => {
    server = await BuiltServer.start();
    const port = await freePort();
    devServer = new Child(
      spawn(
        process.execPath,
        [join(REPO, 'node_modules/nx/dist/bin/nx.js'), 'serve', 'dashboard', '--port', String(port)],
        {
          cwd: REPO,
          env: {
            ...process.env,
            ZEN_SESSIONS_URL: server.url,
            NX_DAEMON: 'false',
            NX_NO_CLOUD: 'true',
            NX_TUI: 'false',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
          // Its own process group, so that the executor and its builders stop with it.
          detached: true,
        },
      ),
    );
    dashboard = `http://localhost:${port}/dashboard`;
    // The first build of the dashboard takes a while on a busy machine.
    await waitUntilServing(`${dashboard}/`, devServer, 200, 240_000);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    if (devServer?.alive && devServer.process.pid) {
      process.kill(-devServer.process.pid, 'SIGTERM');
      await devServer.closed;
    }
    await server?.stop();
  });

  it('shows the dashboard Live, with a session created afterwards shown without a reload', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${dashboard}/`);
      await page.getByTestId('connection').getByText('Live').waitFor({ timeout: 30_000 });
      await fetch(`${server.url}/sessions/${CREATED}`, {
        method: 'POST',
        headers: JSON_HEADERS,
        body: JSON.stringify({ appname: 'DevServer' }),
      });
      await page.locator(`tr[data-session-id="${CREATED}"]`).waitFor({ timeout: 15_000 });
    } finally {
      await page.close();
    }
  });
});
