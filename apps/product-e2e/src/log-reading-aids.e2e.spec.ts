import { Browser, BrowserContext, Page } from 'playwright-core';
import { BuiltServer, launchChromium } from '@zen/testing';
import { seriousA11yViolations } from './browser';
import { serverApi } from './server-api';

const ID = '5151515151515151515151a1';
const ESC = '\x1b';

/**
 * The log viewer's reading aids on lines as real tools write them (stop 51's audit): a progress
 * line redrawn after `\r`, as a text append keeps it, words that start with "Log", and data
 * whose keys hold a `/`.
 */
describe("the log viewer's reading aids in Chromium (built server)", () => {
  let server: BuiltServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    server = await BuiltServer.start();
    browser = await launchChromium();
    const { create, appendText, appendEntries } = serverApi(() => server.url);
    await create(ID, { appname: 'BuildAgent', mode: 'agent' });
    // curl / npm progress piped in: each redraw erases the line and goes back to its start.
    await appendText(ID, [
      `${ESC}[32mDownloading${ESC}[0m 10%${ESC}[2K\rDownloading 55%${ESC}[2K\r${ESC}[32mDownloading${ESC}[0m ${ESC}[1m100%${ESC}[22m`,
      'Done <b>{{1+1}}</b>',
      'Login: alice signed in',
      'Logging: enabled',
    ]);
    await appendEntries(ID, [{ message: 'routes', data: { 'api/v1': { hits: 5 }, api: { v1: { misses: 7 } } } }]);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(server.url).origin });
    page = await context.newPage();
    await page.goto(`${server.url}/dashboard/sessions/${ID}`);
    await page.getByTestId('log-count').getByText('5 / 5 rows').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows a line redrawn after a carriage return as the terminal last showed it, and copies it so', async () => {
    const message = page.getByTestId('log-message').first();
    expect(await message.textContent()).toBe('Downloading 100%');
    expect(await message.locator('span.fg').allTextContents()).toEqual(['Downloading']);
    expect(await message.locator('span.b').allTextContents()).toEqual(['100%']);
    // Looks like HTML and Angular interpolation: shown as the text it is.
    expect(await page.getByTestId('log-message').nth(1).textContent()).toBe('Done <b>{{1+1}}</b>');

    await message.click();
    await page.getByTestId('copy-menu').click();
    await page.getByRole('menuitem', { name: 'Copy as text' }).click();
    await page.getByText('Copied 1 line as text').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^\S+ INFO Downloading 100%$/);
  });

  it('takes words that start with "Log" for no Unreal category: no category column or filter', async () => {
    expect(await page.getByTestId('log-message').nth(2).textContent()).toBe('Login: alice signed in');
    expect(await page.getByTestId('log-message').nth(3).textContent()).toBe('Logging: enabled');
    expect(await page.getByTestId('log-category-cell').count()).toBe(0);
    expect(await page.getByTestId('log-category').count()).toBe(0);
  });

  it("folds a data key with a slash in it on its own, not the nested key of the same path's", async () => {
    const row = page.getByRole('row').filter({ hasText: 'routes' });
    await row.getByRole('button', { name: /^Data of line/ }).click();
    const tree = page.getByRole('tree', { name: /^Data of line/ });
    await tree.getByRole('treeitem').nth(5).waitFor();
    const items = () => tree.getByRole('treeitem').allTextContents();
    const shown = (all: string[]) => all.map((text) => text.replace(/[▾▸]/g, '').replace(/\s+/g, ' ').trim());
    expect(shown(await items())).toEqual([
      '{2 keys}',
      'api/v1:{1 key}',
      'hits:5',
      'api:{1 key}',
      'v1:{1 key}',
      'misses:7',
    ]);

    await tree.getByRole('button', { name: 'Fold api/v1' }).click();
    await tree.getByRole('treeitem').filter({ hasText: 'hits' }).waitFor({ state: 'detached' });
    expect(shown(await items())).toEqual(['{2 keys}', 'api/v1:{1 key}', 'api:{1 key}', 'v1:{1 key}', 'misses:7']);
    expect(await tree.getByRole('button', { name: 'Unfold api/v1' }).count()).toBe(1);
    expect(await tree.getByRole('button', { name: 'Fold v1' }).count()).toBe(1);
    expect(await seriousA11yViolations(page)).toEqual([]);
  });
});
