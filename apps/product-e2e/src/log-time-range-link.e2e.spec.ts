import { Browser, Page } from 'playwright-core';
import { BuiltServer, eventually, launchChromium } from '@zen/testing';
import { dragOverHistogram } from './browser';
import { serverApi } from './server-api';

const TICKS = 'a7a7a7a7a7a7a7a7a7a7a7a1';
const OTHER = 'a7a7a7a7a7a7a7a7a7a7a7a2';

/**
 * The time range dragged on the histogram, in the URL as the filters are. Found by the operator
 * audit (stop 54): the range was held by the view alone, so a reload showed the whole log again
 * and a shared link did not carry it (issue 14: a shared link opens the same view).
 */
describe("the histogram's time range in the URL, in Chromium (built server)", () => {
  let server: BuiltServer;
  let base: string;
  let browser: Browser;
  let page: Page;

  const { create, appendText, timeline } = serverApi(() => base);
  const count = (text: string) => page.getByTestId('log-count').getByText(text).waitFor();
  const shownCount = async () => Number((await page.getByTestId('log-count').innerText()).split(' / ')[0]);
  const rangeOfUrl = () => {
    const params = new URL(page.url()).searchParams;
    return { from: params.get('from'), to: params.get('to') };
  };
  const ticksShown = async () =>
    (await page.getByRole('grid', { name: 'Log entries' }).getByRole('row').allInnerTexts())
      .flatMap((text) => /tick (\d+)$/.exec(text)?.[1] ?? [])
      .map(Number);

  beforeAll(async () => {
    server = await BuiltServer.start();
    base = server.url;
    browser = await launchChromium();
    // 60 ticks a second apart from 2026-11-24 12:00:00 UTC: 60 bars of a second.
    await timeline(TICKS, 60, (i) => ({ message: `tick ${i}` }));
    await create(OTHER, { appname: 'Other' });
    await appendText(OTHER, ['other line']);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  afterEach(async () => {
    await page?.close();
  });

  it('puts a dragged range in the URL, keeps it across a reload, and Esc takes it out', async () => {
    await page.goto(`${base}/dashboard/sessions/${TICKS}`);
    await count('60 / 60 rows');
    await eventually(async () =>
      expect(await page.locator('[data-testid="histogram"] rect.bar').count()).toBeGreaterThan(30),
    );
    await dragOverHistogram(page, 0.3, 0.55);
    const chip = page.getByTestId('range-chip');
    await chip.waitFor();
    await page.waitForURL(/[?&]from=.*&to=/);
    const { from, to } = rangeOfUrl();
    expect(from).toMatch(/^2026-11-24T12:00:\d\d\.000Z$/);
    expect(to).toMatch(/^2026-11-24T12:00:\d\d\.999Z$/);
    const shown = await shownCount();
    expect(shown).toBeGreaterThan(5);
    expect(shown).toBeLessThan(30);
    const chipText = await chip.innerText();
    const ticks = await ticksShown();

    await page.reload();
    await count(`${shown} / 60 rows`);
    expect(await chip.innerText()).toBe(chipText);
    expect(await page.getByTestId('histogram').getAttribute('aria-label')).toContain('time range');
    expect(await ticksShown()).toEqual(ticks);
    expect(rangeOfUrl()).toEqual({ from, to });

    await page.keyboard.press('Escape');
    await count('60 / 60 rows');
    await chip.waitFor({ state: 'detached' });
    await page.waitForURL((url) => !url.searchParams.has('from') && !url.searchParams.has('to'));
  });

  it('opens a link naming a range filtered to it, the range shown on the histogram', async () => {
    await page.goto(
      `${base}/dashboard/sessions/${TICKS}?from=2026-11-24T12:00:10Z&to=2026-11-24T12:00:19.999Z&order=newest`,
    );
    await count('10 / 60 rows');
    await page.getByTestId('range-chip').waitFor();
    expect(await page.getByTestId('histogram').getAttribute('aria-label')).toContain('time range');
    expect(await ticksShown()).toEqual([19, 18, 17, 16, 15, 14, 13, 12, 11, 10]);
    // Nothing in the view says the link was wrong, and the backlog is not counted as news.
    expect(await page.getByTestId('range-notice').count()).toBe(0);
    expect(await page.getByTestId('new-entries').count()).toBe(0);
    // The range stays in the URL (as the view writes it) past the filters' URL delay.
    await page.waitForURL(/order=newest/);
    await page.waitForTimeout(1000);
    expect(rangeOfUrl()).toEqual({ from: '2026-11-24T12:00:10.000Z', to: '2026-11-24T12:00:19.999Z' });
  });

  it.each([
    ['no time', 'from=yesterday&to=2026-11-24T12:00:19Z', 'from="yesterday" in the link is not a UTC time'],
    ['a day that is not', 'from=2026-11-31T12:00:00Z&to=2026-12-24T12:00:19Z', 'from="2026-11-31T12:00:00Z"'],
    ['no end', 'from=2026-11-24T12:00:10Z', 'has no "to"'],
    [
      'a reversed range',
      'from=2026-11-24T12:00:19Z&to=2026-11-24T12:00:10Z',
      'ends (to="2026-11-24T12:00:10Z") before it starts',
    ],
  ])('ignores a hand-typed range with %s, and says so', async (_what, query, said) => {
    await page.goto(`${base}/dashboard/sessions/${TICKS}?${query}`);
    await count('60 / 60 rows');
    const notice = page.getByTestId('range-notice');
    await notice.getByText(said).waitFor();
    expect(await notice.innerText()).toContain('the log is shown whole');
    expect(await page.getByTestId('range-chip').count()).toBe(0);
    await notice.getByRole('button', { name: 'Dismiss' }).click();
    await notice.waitFor({ state: 'detached' });
  });

  it('back and forward show the range each history entry names', async () => {
    await page.goto(`${base}/dashboard/sessions/${TICKS}`);
    await count('60 / 60 rows');
    await eventually(async () =>
      expect(await page.locator('[data-testid="histogram"] rect.bar').count()).toBeGreaterThan(30),
    );
    await dragOverHistogram(page, 0.3, 0.55);
    await page.getByTestId('range-chip').waitFor();
    await page.waitForURL(/[?&]from=.*&to=/);
    const range = rangeOfUrl();
    const shown = await shownCount();
    const chipText = await page.getByTestId('range-chip').innerText();

    // Another session: its own log, whole; the range was of the one left.
    await page.locator(`tr[data-session-id="${OTHER}"]`).click();
    await page.waitForURL(new RegExp(`sessions/${OTHER}$`));
    await count('1 / 1 rows');
    expect(await page.getByTestId('range-chip').count()).toBe(0);

    await page.goBack();
    await page.waitForURL(new RegExp(`sessions/${TICKS}\\?`));
    await count(`${shown} / 60 rows`);
    expect(await page.getByTestId('range-chip').innerText()).toBe(chipText);
    // Past the filters' URL delay: the entry still names what it named.
    await page.waitForTimeout(1000);
    expect(rangeOfUrl()).toEqual(range);

    await page.goForward();
    await page.waitForURL(new RegExp(`sessions/${OTHER}$`));
    await count('1 / 1 rows');
    expect(await page.getByTestId('range-chip').count()).toBe(0);

    await page.goBack();
    await count(`${shown} / 60 rows`);
    await page.keyboard.press('Escape');
    await count('60 / 60 rows');
    await page.waitForURL(new RegExp(`sessions/${TICKS}$`));
  });
});
