import { Browser, Page } from 'playwright-core';
import { BuiltServer, launchChromium } from '@zen/testing';
import { seriousA11yViolations } from './browser';
import { serverApi } from './server-api';

const TOO_SLOW = 'This pattern takes too long on these lines';
/** Forty `a`s and a `!`: `(a+)+$` tries 2^40 ways to split the `a`s before it fails. */
const BACKTRACKER = `${'a'.repeat(40)}!`;

/**
 * The log viewer's regex filter against catastrophic backtracking. Found by the stop 51 audit:
 * `(a+)+$` typed with Regex ticked, over a line of forty `a`s and a `!`, froze the tab for good
 * (a RegExp cannot be interrupted on the page's thread). Each test would hang where it waits for
 * the page (the hint, the count) if the page ran such a pattern itself.
 */
describe("the log viewer's regex filter in Chromium (built server)", () => {
  let server: BuiltServer;
  let browser: Browser;
  let page: Page;
  let ids = 0;
  const { create, appendText } = serverApi(() => server.url);

  /** A new session with `lines` in its log, shown in a new page (`prepare`d first) with Regex ticked. */
  async function openWith(lines: string[], prepare?: (page: Page) => Promise<unknown>): Promise<string> {
    const id = `8008008008008008008008${String(++ids).padStart(2, '0')}`;
    await create(id, { appname: 'UnrealEditor', mode: 'editor' });
    await appendText(id, lines);
    page = await browser.newPage();
    await prepare?.(page);
    await page.goto(`${server.url}/dashboard/sessions/${id}`);
    await count(`${lines.length} / ${lines.length} rows`).waitFor();
    await page.getByRole('checkbox', { name: 'Regex' }).check();
    return id;
  }

  const count = (text: string) => page.getByTestId('log-count').getByText(text, { exact: true });
  const marks = () => page.locator('[data-testid="log-rows"] mark').allTextContents();

  /** The refusal, shown under the field, describing it, in a polite live region. */
  async function expectRefused(): Promise<void> {
    const hint = page.locator('.regex-error');
    await hint.getByText(TOO_SLOW).waitFor();
    const hintId = await hint.getAttribute('id');
    expect(await page.getByTestId('log-filter').getAttribute('aria-describedby')).toContain(hintId);
    expect(await hint.evaluate((element) => element.closest('[aria-live="polite"]') !== null)).toBe(true);
  }

  beforeAll(async () => {
    server = await BuiltServer.start();
    browser = await launchChromium();
  });

  afterEach(async () => {
    await page?.close();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it.each(['(a+)+$', '(.*)*x', '(\\w+\\s?)+$'])(
    'refuses %s over a line it backtracks on, with a message, and the page goes on answering',
    async (pattern) => {
      await openWith(['boot ok', BACKTRACKER, 'shader compiled']);
      await page.getByTestId('log-filter').fill(pattern);
      await expectRefused();
      // Refused, the pattern filters nothing: every row shows, nothing is marked.
      await count('3 / 3 rows').waitFor();
      expect(await marks()).toEqual([]);
      expect(await seriousA11yViolations(page)).toEqual([]);
      // The page still answers, and a pattern that does not backtrack filters at once.
      await page.getByTestId('log-filter').fill('a+!');
      await count('1 / 3 rows').waitFor();
      expect(await page.locator('.regex-error').count()).toBe(0);
      expect(await marks()).toEqual([BACKTRACKER]);
    },
  );

  it('refuses a catastrophic pattern met as it is typed, and filters with the next state that does not backtrack', async () => {
    await openWith(['boot ok', BACKTRACKER, 'a warning']);
    const field = page.getByTestId('log-filter');
    // `(a+)+` is harmless, `(a+)+$` backtracks: typing goes through both.
    await field.pressSequentially('(a+)+$');
    await expectRefused();
    await count('3 / 3 rows').waitFor();
    await field.press('Backspace');
    await count('2 / 3 rows').waitFor();
    expect(await page.locator('.regex-error').count()).toBe(0);
    expect(await marks()).toEqual([BACKTRACKER.slice(0, 40), 'a', 'a']);
  });

  it('refuses a pattern applied when a line it backtracks on arrives later, the line shown', async () => {
    const id = await openWith(['boot ok', 'aaa!', 'a warning']);
    await page.getByTestId('log-filter').fill('(a+)+$');
    // Fast on these lines, and none ends in `a`s: applied.
    await count('0 / 3 rows').waitFor();
    await appendText(id, [BACKTRACKER]);
    await expectRefused();
    await count('4 / 4 rows').waitFor();
    expect(await page.getByText(BACKTRACKER, { exact: true }).count()).toBe(1);
  });

  it('applies a harmless pattern when the worker is slow to load: its second counts from when it is ready', async () => {
    let served = 0;
    // Ticking Regex starts the worker; its script arrives 2.5 s later, as on a machine too busy to
    // start it at once. The pattern typed meanwhile was refused one second after it was sent.
    await openWith(['boot ok', 'shader compiled', 'a warning'], (tab) =>
      tab.route('**/regex-worker.js', async (route) => {
        await new Promise((resolve) => setTimeout(resolve, 2500));
        served++;
        await route.continue();
      }),
    );
    await page.getByTestId('log-filter').fill('shader|boot');
    await count('2 / 3 rows').waitFor();
    expect(served).toBe(1);
    expect(await page.locator('.regex-error').count()).toBe(0);
    expect(await marks()).toEqual(['boot', 'shader']);
  });

  it('refuses a catastrophic pattern a link opens with', async () => {
    const id = await openWith(['boot ok', BACKTRACKER]);
    await page.goto(`${server.url}/dashboard/sessions/${id}?q=${encodeURIComponent('(a+)+$')}&re=1`);
    await expectRefused();
    await count('2 / 2 rows').waitFor();
  });
});
