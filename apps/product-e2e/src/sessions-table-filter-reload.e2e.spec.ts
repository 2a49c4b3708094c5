import { Browser } from 'playwright-core';
import { BuiltServer, launchChromium } from '@zen/testing';
import { serverApi } from './server-api';

const COOKS = ['5e5e5e5e5e5e5e5e5e5e5e51', '5e5e5e5e5e5e5e5e5e5e5e52', '5e5e5e5e5e5e5e5e5e5e5e53'];
const EDITOR = '5e5e5e5e5e5e5e5e5e5e5e54';

/**
 * The sessions table's quick filter across a reload. Found by the operator audit (stop 54): the
 * table's sort and page size were kept across a reload, but the filter an operator had typed to
 * narrow the table to the failing job's agents was gone, the table listing every session again.
 */
describe("the sessions table's quick filter in Chromium (built server)", () => {
  let server: BuiltServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await BuiltServer.start();
    browser = await launchChromium();
    const { create } = serverApi(() => server.url);
    for (const [i, id] of COOKS.entries()) await create(id, { appname: `CookAgent${i}`, jobid: 'job-4711' });
    await create(EDITOR, { appname: 'UnrealEditor', jobid: 'edit-1' });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  const appsShown = (page: import('playwright-core').Page) =>
    page.getByTestId('sessions-table').getByRole('row').locator('td.mat-column-appname').allInnerTexts();

  it('keeps the filter typed across a reload, and forgets it once cleared', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${server.url}/dashboard/`);
      const table = page.getByTestId('sessions-table');
      await table.getByText('UnrealEditor', { exact: true }).waitFor();
      const filter = page.getByRole('textbox', { name: 'Filter sessions' });
      await filter.fill('job-4711');
      await table.getByText('UnrealEditor', { exact: true }).waitFor({ state: 'detached' });

      await page.reload();
      await table.getByText('CookAgent2', { exact: true }).waitFor();
      expect(await filter.inputValue()).toBe('job-4711');
      expect((await appsShown(page)).sort()).toEqual(['CookAgent0', 'CookAgent1', 'CookAgent2']);

      await filter.fill('');
      await table.getByText('UnrealEditor', { exact: true }).waitFor();
      await page.reload();
      await table.getByText('UnrealEditor', { exact: true }).waitFor();
      expect(await filter.inputValue()).toBe('');
    } finally {
      await page.close();
    }
  });

  it('opens unfiltered for a browser that typed no filter', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${server.url}/dashboard/`);
      const table = page.getByTestId('sessions-table');
      await table.getByText('UnrealEditor', { exact: true }).waitFor();
      expect(await page.getByRole('textbox', { name: 'Filter sessions' }).inputValue()).toBe('');
      expect((await appsShown(page)).length).toBe(5);
    } finally {
      await page.close();
    }
  });
});
