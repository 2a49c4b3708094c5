import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from '@zen/testing';
import { Locator, Page } from 'playwright-core';

/** Saves a screenshot of a main view into docs/screenshots/ (committed; the README links them). */
export async function docScreenshot(page: Page, name: string): Promise<void> {
  const dir = join(REPO, 'docs/screenshots');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** Runs axe-core in the page; returns the serious and critical violations (WCAG 2.0 and 2.1 A/AA rules). */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  // Evaluated over the DevTools protocol, so the dashboard's CSP (script-src 'self') stays as served.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (context: unknown, options: unknown) => Promise<AxeResults> } })
      .axe;
    const results = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return results.violations
      .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
      .map(
        (violation) =>
          `${violation.id}: ${violation.help} — ${violation.nodes
            .slice(0, 3)
            .map((node) => `${node.target.join(' ')} ${node.failureSummary ?? ''}`)
            .join(' | ')}`,
      );
  });
  return violations;
}

interface AxeResults {
  violations: {
    id: string;
    impact: string | null;
    help: string;
    nodes: { target: string[]; failureSummary?: string }[];
  }[];
}

/** Saves a screenshot as a test artifact (test-artifacts/ is not committed). */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = join(REPO, 'test-artifacts');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

/** A few frames on (the page's own time): the scrolls that follow a change have come and gone. */
export async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((done) => setTimeout(done, 400)));
}

/** Where `locator` is on the page; it must be shown (a hidden one fails the test by name). */
export async function boxOf(locator: Locator): Promise<{ x: number; y: number; width: number; height: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${locator} is not shown`);
  return box;
}

/** A drag over the histogram from `from` to `to`, as shares of its width (measured at the call:
 *  a range's chip moves the chart down). */
export async function dragOverHistogram(page: Page, from: number, to: number): Promise<void> {
  const chart = await boxOf(page.getByTestId('histogram'));
  const y = chart.y + chart.height / 2;
  await page.mouse.move(chart.x + from * chart.width, y);
  await page.mouse.down();
  await page.mouse.move(chart.x + to * chart.width, y, { steps: 5 });
  await page.mouse.up();
}

/** The page's WebSocket to the server, through a stand-in the test can cut and keep away. */
export interface CuttableWebSocket {
  /** Closes the page's sockets and refuses new ones, as a lost network would. */
  cut(): Promise<void>;
  /** Lets the page connect again. */
  restore(): void;
}

/** Stands between the page and the server's WebSocket (set up before the page opens). */
export async function cuttableWebSocket(page: Page): Promise<CuttableWebSocket> {
  let blocked = false;
  const sockets: { close(): Promise<void> }[] = [];
  await page.routeWebSocket(/\/sessions\/ws/, (socket) => {
    if (blocked) return void socket.close();
    sockets.push(socket);
    socket.connectToServer();
  });
  return {
    async cut() {
      blocked = true;
      await Promise.all(sockets.splice(0).map((socket) => socket.close()));
    },
    restore() {
      blocked = false;
    },
  };
}
