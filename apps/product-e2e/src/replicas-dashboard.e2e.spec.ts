import { Browser, Page } from 'playwright-core';
import { BuiltServer, JSON_HEADERS, launchChromium, RedisServer } from '@zen/testing';
import { screenshot } from './browser';
import { replicasReady, ScaleOut, startScaleOut } from './nginx';

const FOLLOWED = 'da5ca1e0da5ca1e0da5ca1e0';
const AFTER = 'da5ca1e1da5ca1e1da5ca1e1';

/**
 * The dashboard as an operator uses it on a scaled-out deployment: two replicas on one real
 * redis-server behind deploy/scale-out's nginx, the page loaded through nginx.
 */
describe('the dashboard through nginx on two replicas on one Redis (built server, deploy/scale-out)', () => {
  let scaleOut: ScaleOut;
  let redis: RedisServer;
  let replicas: BuiltServer[] = [];
  let proxy: string;
  let browser: Browser;
  let page: Page;

  const api = (path: string, init?: RequestInit) => fetch(`${proxy}/${path}`, init);
  const appendText = (id: string, text: string) =>
    api(`sessions/${id}/log`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: text });
  const connection = () => page.getByTestId('connection');
  const bothReady = () => replicasReady(replicas, 20_000);

  beforeAll(async () => {
    scaleOut = await startScaleOut();
    ({ redis, replicas, proxied: proxy } = scaleOut);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await scaleOut?.stop();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterEach(() => page.close());

  it('says the store is unavailable for as long as Redis is down, not Live (a download says why it failed), and recovers by itself', async () => {
    await api(`sessions/${FOLLOWED}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"dashscale"}' });
    await appendText(FOLLOWED, 'before the outage');
    await page.goto(`${proxy}/dashboard/sessions/${FOLLOWED}`);
    await page.getByTestId('log-rows').getByText('before the outage').waitFor();
    await connection().getByText('Live').waitFor();

    await redis.kill();
    try {
      await connection().getByText('Store unavailable').waitFor({ timeout: 15_000 });
      // The snack bar telling it goes after a while; the outage does not, nor does the indicator.
      await page.locator('mat-snack-bar-container').waitFor({ state: 'detached', timeout: 20_000 });
      expect(await connection().innerText()).toContain('Store unavailable');
      await screenshot(page, 'replicas-dashboard-store-unavailable');
      // A download meanwhile says why it failed, in the replica's words (its 503, through nginx).
      await page.getByTestId('download-text').click();
      await page
        .locator('mat-snack-bar-container')
        .filter({ hasText: 'Could not download the log of dashscale: the session store (Redis at' })
        .waitFor();
    } finally {
      await redis.restart();
    }
    await bothReady();

    // Back without a reload: Live, the table and the log going on.
    await connection().getByText('Live').waitFor({ timeout: 15_000 });
    await api(`sessions/${AFTER}`, { method: 'POST', headers: JSON_HEADERS, body: '{"appname":"dashscale-after"}' });
    await page.locator(`tr[data-session-id="${AFTER}"]`).waitFor({ timeout: 5_000 });
    await appendText(FOLLOWED, 'after the outage');
    await page.getByTestId('log-rows').getByText('after the outage').waitFor({ timeout: 10_000 });
    await page.getByTestId('log-count').getByText('2 / 2 rows').waitFor();
  }, 90_000);

  it('says the store is unavailable, not Live, on a page opened while Redis is down; takes it back when Redis is', async () => {
    await redis.kill();
    try {
      await page.goto(`${proxy}/dashboard/sessions/${FOLLOWED}`);
      await connection().getByText('Store unavailable').waitFor({ timeout: 15_000 });
      await page.locator('mat-snack-bar-container').filter({ hasText: 'the session store' }).waitFor();
      await page.getByText("The server's session store is unavailable (the session store (Redis at").waitFor();
    } finally {
      await redis.restart();
    }
    await bothReady();
    await page.getByTestId('log-rows').getByText('after the outage').waitFor({ timeout: 15_000 });
    await connection().getByText('Live').waitFor();
    // Its word in a snack bar goes with it, rather than saying for 8 s that live updates wait.
    await page
      .locator('mat-snack-bar-container')
      .filter({ hasText: 'the session store' })
      .waitFor({ state: 'detached', timeout: 2_000 });
  }, 90_000);
});
