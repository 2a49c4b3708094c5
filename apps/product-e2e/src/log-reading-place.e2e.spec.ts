import { Browser, BrowserContext, Page } from 'playwright-core';
import { BuiltServer, eventually, launchChromium } from '@zen/testing';
import { boxOf, settle } from './browser';
import { serverApi } from './server-api';

/**
 * The line being read keeps its place while paused, in the cases the log viewer's regression
 * pass left open: the line itself filtered out, `Esc` clearing a source tag or a time range, and a
 * narrower window re-wrapping the rows. Each time the scroll offset in px stayed, and other rows
 * took the line's place.
 */
// Logs of 10,000 lines and more laid out in Chromium: long on a busy machine.
jest.setTimeout(180_000);

describe('the line being read keeps its place while paused (built server, in Chromium)', () => {
  let server: BuiltServer;
  let base: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  const { create, appendText, timeline, interleaved } = serverApi(() => base);
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
  const paused = async () => expect(await page.getByRole('button', { name: /^Follow/ }).innerText()).toBe('Follow');
  /** Opens the log of `id` on its line `seq` (a permalink): paused there, the line outlined. */
  const openOnLine = async (id: string, seq: number) => {
    await page.goto(`${base}/dashboard/sessions/${id}?line=${seq}`);
    const line = rows().locator(`[role="row"][data-seq="${seq}"]`);
    // The line is rendered once the log's backlog (10,000 lines here) has come in far enough and been
    // laid out: ~16 s with Chromium's CPU throttled 20 times, and past the default 30 s once on a
    // machine running two CI runs at once.
    await line.waitFor({ timeout: 120_000 });
    await eventually(async () => expect(await line.getAttribute('class')).toContain('highlight'));
    await settle(page);
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
    await settle(page);
    expect(await placeOf('odd line 151')).toBe(place);
    await paused();
  });

  it('keeps the line read in its place when Esc clears the source tag it was filtered by', async () => {
    const [a, b] = ['e2e2e2e2e2e2e2e2e2e2e2e1', 'e2e2e2e2e2e2e2e2e2e2e2e2'];
    await interleaved([a, b]);
    await page.goto(`${base}/dashboard/sessions/${a},${b}`);
    await count('200 / 200 rows');
    // Paused in the middle of the log, reading (clicked) a line of the second session a third of
    // the way down, shown by its tag alone.
    await rows().hover();
    await page.mouse.wheel(0, -1500);
    await settle(page);
    const read = await rows().evaluate((grid) => {
      const view = grid.getBoundingClientRect();
      const line = Array.from(grid.querySelectorAll('[role="row"]')).find(
        (row) =>
          row.getBoundingClientRect().top >= view.top + view.height / 3 &&
          /2 line \d+$/.test(row.textContent?.trim() ?? ''),
      );
      return line?.textContent?.trim().match(/2 line \d+$/)?.[0] ?? '';
    });
    expect(read).toMatch(/^2 line \d+$/);
    await rowOf(read).click();
    await rowOf(read)
      .getByRole('button', { name: /^Show only/ })
      .click();
    await count('100 / 200 rows');
    await settle(page);
    const place = await placeOf(read);
    await page.keyboard.press('Escape');
    await count('200 / 200 rows');
    await settle(page);
    expect({ read, place: await placeOf(read) }).toEqual({ read, place });
    expect(await rows().getByRole('row', { selected: true }).count()).toBe(0);
    await paused();
  });

  it('keeps the line read in its place when Esc on the histogram clears the time range', async () => {
    const id = 'e3e3e3e3e3e3e3e3e3e3e3e3';
    await timeline(id, 300, (i) => ({ message: `LogCook: Display: tick ${i}` }));
    await page.goto(`${base}/dashboard/sessions/${id}`);
    await count('300 / 300 rows');
    const chart = page.getByRole('slider', { name: /^Volume histogram\./ });
    await chart.focus();
    // Bars in the middle chosen by Shift+arrows, Enter cuts the log to their range; `j` reads a line of it.
    const bars = Number(await chart.getAttribute('aria-valuemax'));
    await page.keyboard.press('Home');
    for (let i = 0; i < Math.floor(bars / 2); i++) await page.keyboard.press('ArrowRight');
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Clear the time range' }).waitFor();
    for (let i = 0; i < 4; i++) await page.keyboard.press('j');
    await settle(page);
    const line = rows().getByRole('row', { selected: true });
    const read = (await line.innerText()).match(/tick \d+$/)?.[0] ?? '';
    const place = await placeOf(read);
    expect(place).not.toBeNull();
    // Esc on the chart clears the range (the line stays selected).
    await page.keyboard.press('Escape');
    await count('300 / 300 rows');
    await settle(page);
    expect({ read, place: await placeOf(read) }).toEqual({ read, place });
    expect(await line.innerText()).toMatch(new RegExp(`${read}$`));
    await paused();
  });

  it('keeps the wrapped line read at its place when the window is narrowed, and widened again', async () => {
    const id = 'e4e4e4e4e4e4e4e4e4e4e4e4';
    await create(id, { appname: 'UnrealEditor' });
    await appendText(
      id,
      Array.from({ length: 200 }, (_, i) =>
        i % 3 === 0 ? `LogCook: Warning: ${'package took a while to cook '.repeat(12)}${i}` : `line ${i}`,
      ),
    );
    await openOnLine(id, 101);
    await page.getByRole('checkbox', { name: 'Wrap' }).check();
    await settle(page);
    const place = await placeOf('line 101');
    for (const width of [960, 720, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      await settle(page);
      expect({ width, place: await placeOf('line 101') }).toEqual({ width, place });
    }
    await paused();
  });

  it('keeps the line read in its place as new entries arrive above it, newest first', async () => {
    // Found by the dashboard audit: new rows went in above the line read and the scroll offset in
    // px stayed, so the log slid down under the reader by a row per entry that arrived.
    const id = 'e5e5e5e5e5e5e5e5e5e5e5e5';
    await create(id, { appname: 'UnrealEditor' });
    await appendText(
      id,
      Array.from({ length: 200 }, (_, i) => `line ${i}`),
    );
    await page.goto(`${base}/dashboard/sessions/${id}?line=100&order=newest`);
    const line = rows().locator('[role="row"][data-seq="100"]');
    await eventually(async () => expect(await line.getAttribute('class')).toContain('highlight'));
    await settle(page);
    const place = await placeOf('line 100');
    expect(place).not.toBeNull();
    await appendText(
      id,
      Array.from({ length: 50 }, (_, i) => `new line ${i}`),
    );
    await page.getByTestId('new-entries').getByText('50 new entries').waitFor();
    await settle(page);
    expect(await placeOf('line 100')).toBe(place);
    await paused();
  });

  it('keeps the line read in its place while a full log evicts its oldest entries', async () => {
    // Found by the dashboard audit: at the server's capacity each new entry evicts the oldest, and
    // the view dropped those rows above the line read with the scroll offset in px kept: the log
    // slid up under the reader by a row per entry that arrived (a busy build's log ran away).
    const id = 'e6e6e6e6e6e6e6e6e6e6e6e6';
    await create(id, { appname: 'CookAgent' });
    await appendText(
      id,
      Array.from({ length: 10_000 }, (_, i) => `line ${i}`),
    );
    await openOnLine(id, 9000);
    const place = await placeOf('line 9000');
    expect(place).not.toBeNull();
    await appendText(
      id,
      Array.from({ length: 300 }, (_, i) => `new line ${i}`),
    );
    await page.getByTestId('new-entries').getByText('300 new entries').waitFor();
    await count('10000 / 10000 rows');
    await settle(page);
    expect(await placeOf('line 9000')).toBe(place);
    await paused();
  });

  it('keeps the line read while a flood passes the 10,000 rows the view keeps, and shows the newest on resume', async () => {
    // Found by the flood audit: paused, the view went on keeping its newest 10,000 rows, so at
    // ~4,500 entries/s the line being read was evicted from under the reader within seconds.
    const id = 'e7e7e7e7e7e7e7e7e7e7e7e7';
    await create(id, { appname: 'CookAgent' });
    await appendText(
      id,
      Array.from({ length: 10_000 }, (_, i) => `line ${i}`),
    );
    await openOnLine(id, 100);
    const place = await placeOf('line 100');
    expect(place).not.toBeNull();
    for (let batch = 0; batch < 3; batch++)
      await appendText(
        id,
        Array.from({ length: 4500 }, (_, i) => `flood ${batch * 4500 + i}`),
      );
    await page.getByTestId('new-entries').getByText('13500 new entries').waitFor();
    await count('10000 / 10000 rows');
    await settle(page);
    expect(await placeOf('line 100')).toBe(place);
    await paused();
    await page.getByTestId('new-entries').click();
    await rowOf('flood 13499').waitFor();
    await count('10000 / 10000 rows');
    expect(await page.getByRole('button', { name: /^Follow/ }).innerText()).toBe('Following');
  });
});
