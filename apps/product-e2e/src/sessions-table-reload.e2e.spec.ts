import { Browser } from 'playwright-core';
import { BuiltServer, launchChromium } from '@zen/testing';
import { serverApi } from './server-api';

/** Twelve agents, agent i with i error lines: more than the table's first page of ten. */
const AGENTS = Array.from({ length: 12 }, (_, i) => `54054054054054054054${(0xb00 + i).toString(16)}0`);

/**
 * The sessions table's sort and page size across a reload. Found by the operator audit (stop
 * 54): sorted by errors to find the failing agent, with 25 rows a page, a reload (or the next
 * morning's tab) put the table back to newest-created first, ten a page, while the status tab,
 * the split and the log's view were kept.
 */
describe("the sessions table's sort and page size in Chromium (built server)", () => {
  let server: BuiltServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await BuiltServer.start();
    browser = await launchChromium();
    const { create, appendEntries } = serverApi(() => server.url);
    for (const [i, id] of AGENTS.entries()) {
      await create(id, { appname: `CookAgent${String(i).padStart(2, '0')}`, mode: 'cook', jobid: 'job-4711' });
      if (i > 0)
        await appendEntries(
          id,
          Array.from({ length: i }, (_, n) => ({ level: 'error', message: `LogCook: Error: failure ${n}` })),
        );
    }
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('keeps the sort and the page size the user chose across a reload', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${server.url}/dashboard/`);
      const table = page.getByTestId('sessions-table');
      await table.getByText('CookAgent11', { exact: true }).waitFor();
      const errors = table.getByRole('columnheader', { name: 'Err' });
      await errors.click();
      await errors.click();
      await page.waitForFunction(
        () => document.querySelector('th[aria-sort="descending"]')?.textContent?.trim() === 'Err',
      );
      await page.getByRole('combobox', { name: /Items per page/ }).click();
      await page.getByRole('option', { name: '25' }).click();
      await page.getByText('1 – 13 of 13').waitFor();

      await page.reload();
      await table.getByText('CookAgent11', { exact: true }).waitFor();
      expect(await errors.getAttribute('aria-sort')).toBe('descending');
      expect(await table.getByRole('columnheader', { name: 'Created' }).getAttribute('aria-sort')).toBe('none');
      await page.getByText('1 – 13 of 13').waitFor();
      // Most errors first: the agent with eleven, then ten.
      const apps = await table.getByRole('row').locator('td.mat-column-appname').allInnerTexts();
      expect(apps.slice(0, 2)).toEqual(['CookAgent11', 'CookAgent10']);
    } finally {
      await page.close();
    }
  });

  it('opens as before for a browser that chose nothing: newest created first, ten a page', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await page.goto(`${server.url}/dashboard/`);
      const table = page.getByTestId('sessions-table');
      await table.getByText('CookAgent11', { exact: true }).waitFor();
      expect(await table.getByRole('columnheader', { name: 'Created' }).getAttribute('aria-sort')).toBe('descending');
      await page.getByText('1 – 10 of 13').waitFor();
    } finally {
      await page.close();
    }
  });
});
