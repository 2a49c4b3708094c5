import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser } from 'playwright-core';
import { BuiltServer, launchChromium, REPO } from '@zen/testing';

const KEPT_A_YEAR = 'public, max-age=31536000, immutable';

/**
 * How browsers cache the dashboard the one-process server serves (`npm start`): the page
 * is asked for again on each use, the build's hashed files are kept. Found by the operator
 * audit: `/dashboard/index.html` was kept a year, so a browser that had it showed the old
 * build after a redeploy.
 */
describe("the dashboard's caching (built server, as `npm start` runs it)", () => {
  let dir: string;
  let server: BuiltServer;
  let browser: Browser;
  const get = (path: string) => fetch(`${server.url}${path}`);

  beforeAll(async () => {
    // A copy of the build, to be redeployed in place.
    dir = mkdtempSync(join(tmpdir(), 'zen-dashboard-'));
    cpSync(join(REPO, 'dist/apps/dashboard/browser'), dir, { recursive: true });
    server = await BuiltServer.start({ DASHBOARD_DIR: dir });
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('has index.html asked for again however it is named, and the hashed scripts and styles kept a year', async () => {
    for (const path of ['/dashboard/', '/dashboard/index.html', '/dashboard/sessions/abc', '/dashboard/favicon.ico']) {
      const res = await get(path);
      expect([path, res.status, res.headers.get('cache-control')]).toEqual([path, 200, 'no-cache']);
    }
    const html = await (await get('/dashboard/')).text();
    const assets = [...html.matchAll(/(?:src|href)="([^"/]+-[A-Z0-9]{8}\.(?:js|css))"/g)].map((match) => match[1]);
    expect(assets).toEqual(
      expect.arrayContaining([expect.stringMatching(/^main-/), expect.stringMatching(/^styles-/)]),
    );
    for (const asset of assets) {
      const res = await get(`/dashboard/${asset}`);
      expect([asset, res.status, res.headers.get('cache-control')]).toEqual([asset, 200, KEPT_A_YEAR]);
    }
  });

  it('shows Chromium the new build after a redeploy, by either name of the page', async () => {
    const page = await browser.newPage();
    const buildOf = () => page.locator('meta[name="zen-build"]').getAttribute('content');
    const deploy = async (build: string) => {
      const html = readFileSync(join(REPO, 'dist/apps/dashboard/browser/index.html'), 'utf8');
      writeFileSync(
        join(dir, 'index.html'),
        html.replace('<head>', `<head><meta name="zen-build" content="${build}">`),
      );
      await server.restart();
    };
    try {
      await deploy('1');
      for (const path of ['/dashboard/', '/dashboard/index.html']) {
        await page.goto(`${server.url}${path}`);
        expect([path, await buildOf()]).toEqual([path, '1']);
      }
      await deploy('2');
      for (const path of ['/dashboard/', '/dashboard/index.html']) {
        // A navigation, not a reload: a reload revalidates whatever the headers said.
        await page.goto(`${server.url}${path}`);
        expect([path, await buildOf()]).toEqual([path, '2']);
      }
    } finally {
      await page.close();
    }
  });
});
