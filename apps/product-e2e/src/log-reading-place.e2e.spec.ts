import { Browser, BrowserContext, Page } from 'playwright-core';
import { BuiltServer, eventually, JSON_HEADERS, launchChromium } from '@zen/testing';
import { boxOf } from './browser';

/**
 * The line being read keeps its place while paused, in the cases the log viewer's regression
 * pass left open: the line itself filtered out, `Esc` clearing a source tag or a time range, and a
 * narrower window re-wrapping the rows. Each time the scroll offset in px stayed, and other rows
 * took the line's place.
 */
describe('the line being read keeps its place while paused (built server, in Chromium)', () => {
  let server: BuiltServer;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const api = (path: string, init?: RequestInit) => fetch(`${base}/${path}`, init);
  const create = (id: string, body: object) =>
    api(`sessions/${id}`, { method: 'POST', headers: JSON_HEADERS, body: JSON.stringify(body) });
  const appendText = (id: string, lines: string[]) =>
    api(`sessions/${id}/log`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: lines.join('\n') });
  const rows = () => page.getByRole('grid', { name: 'Log entries' });
  const rowOf = (text: string) =>
    rows()
      .getByRole('row')
      .filter({ hasText: new RegExp(`${text}$`) });
  /** Where the row ending in `text` starts, in whole px from the top of the log's rows; null when not rendered. */
  const placeOf = async (text: string) => {
    if ((await rowOf(text).count()) === 0) return null;
    return Math.round((await boxOf(rowOf(text))).y - (await boxOf(rows())).y);
  };
  const count = (text: string) => page.getByRole('status').getByText(text).waitFor();
  /** A few frames on: the scrolls that follow a change have come and gone. */
  const settle = () => page.evaluate(() => new Promise((done) => setTimeout(done, 400)));
  const paused = async () => expect(await page.getByRole('button', { name: /^Follow/ }).innerText()).toBe('Follow');
  /** Opens the log of `id` on its line `seq` (a permalink): paused there, the line outlined. */
  const openOnLine = async (id: string, seq: number) => {
    await page.goto(`${base}/dashboard/sessions/${id}?line=${seq}`);
    const line = rows().locator(`[role="row"][data-seq="${seq}"]`);
    await eventually(async () => expect(await line.getAttribute('class')).toContain('highlight'));
    await settle();
  };

  beforeAll(async () => {
    server = await BuiltServer.start({ SESSIONS_WS_INTERVAL_MS: '250' });
    base = server.url;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
  });

  afterEach(() => context.close());

  it('puts the first line shown after the line read in its place when a filter hides the line', async () => {
    const id = 'e1e1e1e1e1e1e1e1e1e1e1e1';
    await create(id, { appname: 'LongLog' });
    await appendText(
      id,
      Array.from({ length: 200 }, (_, i) => `${i % 2 ? 'odd' : 'even'} line ${i}`),
    );
    await openOnLine(id, 150);
    const place = await placeOf('even line 150');
    await page.getByRole('textbox', { name: 'Filter messages' }).fill('odd');
    await count('100 / 200 rows');
    await settle();
    expect(await placeOf('odd line 151')).toBe(place);
    await paused();
  });
});
