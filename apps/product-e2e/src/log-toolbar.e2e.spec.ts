import { Browser, Page } from 'playwright-core';
import { BuiltServer, launchChromium } from '@zen/testing';
import { seriousA11yViolations } from './browser';
import { serverApi } from './server-api';

const ID = '7007007007007007007007a1';

/** A control of the log's toolbar, as laid out: its name and box. */
interface Placed {
  name: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The toolbar's controls and box, the log viewer's box and the rows' box, as Chromium lays them out. */
function layoutOf(page: Page) {
  return page.evaluate(() => {
    const box = (element: Element) => {
      const { x, y, width, height } = element.getBoundingClientRect();
      return { x, y, width, height };
    };
    const bar = document.querySelector('zen-log-viewer [role="toolbar"]') as HTMLElement;
    // The controls, whether in groups or (as before the audit) straight in the toolbar.
    const controls = Array.from(bar.querySelectorAll(':scope > :not(.group), .group > *'))
      .map((element) => ({
        name: element.textContent?.trim().split(/\s+/).slice(0, 2).join(' ') ?? '',
        ...box(element),
      }))
      .filter((control) => control.width > 0);
    return {
      bar: { ...box(bar), overflow: bar.scrollWidth - bar.clientWidth },
      controls,
      viewer: box(document.querySelector('zen-log-viewer') as Element),
      rows: box(document.querySelector('[data-testid="log-rows"]') as Element),
    };
  });
}

const centre = (control: Placed) => control.y + control.height / 2;
const overlap = (a: Placed, b: Placed) =>
  a.x < b.x + b.width - 0.5 && b.x < a.x + a.width - 0.5 && a.y < b.y + b.height - 0.5 && b.y < a.y + a.height - 0.5;

/**
 * The log viewer's toolbar from phone width to a laptop's. Found by the operator audit: between
 * the two it wrapped wherever a control ran out of room, parting Wrap from Relative times, the
 * order from Follow, Previous from Next error.
 */
describe("the log viewer's toolbar in Chromium (built server)", () => {
  let server: BuiltServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await BuiltServer.start();
    browser = await launchChromium();
    const { create, appendText } = serverApi(() => server.url);
    await create(ID, { appname: 'UnrealEditor', mode: 'editor' });
    await appendText(
      ID,
      Array.from({ length: 60 }, (_, i) => `LogCook${i % 3}: Warning: package ${i} took a while`),
    );
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it.each([360, 768, 1024, 1280])(
    'at %i px wraps in rows of whole groups, nothing overlapping or cut off, the log filling the rest',
    async (width) => {
      const page = await browser.newPage({ viewport: { width, height: 800 } });
      try {
        await page.goto(`${server.url}/dashboard/sessions/${ID}`);
        await page.getByTestId('log-category').waitFor();
        await page.getByTestId('log-count').getByText('60 / 60 rows').waitFor();
        const { bar, controls, viewer, rows } = await layoutOf(page);
        expect(controls).toHaveLength(13);
        expect(bar.overflow).toBeLessThanOrEqual(0);
        for (const control of controls) {
          expect([
            control.name,
            control.x >= bar.x - 0.5,
            control.x + control.width <= bar.x + bar.width + 0.5,
          ]).toEqual([control.name, true, true]);
        }
        for (const [i, a] of controls.entries())
          for (const b of controls.slice(i + 1))
            expect([a.name, b.name, overlap(a, b)]).toEqual([a.name, b.name, false]);
        // Each group's controls on one row: [filter, Regex] [Level, Category] [order, Follow] [Previous, Next error] [Wrap, Relative times] [Copy, ?, count].
        const groups = [
          [0, 1],
          [2, 3],
          [4, 5],
          [6, 7],
          [8, 9],
          [10, 11, 12],
        ];
        for (const group of groups) {
          const [first, ...rest] = group.map((index) => controls[index]);
          for (const control of rest)
            expect([first.name, control.name, Math.abs(centre(control) - centre(first)) <= 1]).toEqual([
              first.name,
              control.name,
              true,
            ]);
        }
        // The log takes the height the toolbar and histogram leave.
        expect(rows.height).toBeGreaterThanOrEqual(120);
        expect(Math.abs(rows.y + rows.height - (viewer.y + viewer.height))).toBeLessThanOrEqual(1);
      } finally {
        await page.close();
      }
    },
  );

  // Found by the operator audit: with Regex ticked, `Crash(` showed its error under the filter,
  // which made the field taller and dropped Regex, Level and the rest of that row by ~26 px.
  it.each([
    [360, 'light'],
    [1280, 'light'],
    [1280, 'dark'],
  ] as const)(
    'at %i px (%s) keeps every control in place while an invalid regex is reported, the message shown and announced',
    async (width, colorScheme) => {
      const page = await browser.newPage({ viewport: { width, height: 800 }, colorScheme });
      try {
        await page.goto(`${server.url}/dashboard/sessions/${ID}`);
        await page.getByTestId('log-category').waitFor();
        await page.getByTestId('log-count').getByText('60 / 60 rows').waitFor();
        await page.getByRole('checkbox', { name: 'Regex' }).check();
        const before = await layoutOf(page);
        await page.getByTestId('log-filter').fill('Crash(');
        const message = page.locator('.regex-error');
        await message.getByText(/Unterminated group/).waitFor();
        const after = await layoutOf(page);
        // (By the names before: the filter field's text now has the message too.)
        const place = (controls: Placed[]) =>
          controls.map(({ x, y, width, height }, i) => [
            before.controls[i]?.name,
            ...[x, y, width, height].map(Math.round),
          ]);
        expect(place(after.controls)).toEqual(place(before.controls));
        expect(after.rows).toEqual(before.rows);
        // Shown whole, on the page…
        const box = await message.boundingBox();
        expect(box).not.toBeNull();
        const { x, width: w, height: h } = box as NonNullable<typeof box>;
        expect([x >= 0, x + w <= width, h > 0, await message.isVisible()]).toEqual([true, true, true, true]);
        // …and announced: the field is described by it, in a polite live region.
        const hintId = await message.getAttribute('id');
        expect(await page.getByTestId('log-filter').getAttribute('aria-describedby')).toContain(hintId);
        expect(await message.evaluate((element) => element.closest('[aria-live="polite"]') !== null)).toBe(true);
        // Readable over what it covers.
        expect(await seriousA11yViolations(page)).toEqual([]);
      } finally {
        await page.close();
      }
    },
  );
});
