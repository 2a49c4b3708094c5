// Dashboard workloads in Chromium: a filter keystroke on a 10,000-entry log until the
// next frame is painted, and follow mode while 5,000 entries/s stream in.
import { chromium } from 'playwright-core';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export async function dashboardWorkloads(server, { entries, followSeconds }) {
  const id = 'd'.repeat(24);
  const post = (path, body, type = 'application/json') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  await post(`/sessions/${id}`, '{"appname":"dashboard-bench"}');
  for (let i = 0; i < entries; i += 1000) {
    await post(
      `/sessions/${id}/log`,
      Array.from(
        { length: 1000 },
        (_, k) => `entry ${String(i + k).padStart(7, '0')} ${k % 7 ? 'compile' : 'shader'} ${'x'.repeat(60)}`,
      ).join('\n'),
      'text/plain',
    );
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${server.url}/dashboard/sessions/${id}`);
    await page.getByTestId('log-count').getByText(`${entries} / ${entries} rows`).waitFor({ timeout: 30_000 });

    // Each keystroke: set the value, fire input, wait for two frames (the one that renders, and the paint).
    const keystrokes = await page.evaluate(async () => {
      const input = document.querySelector('[data-testid="log-filter"]');
      const times = [];
      let text = '';
      for (const key of 'shader 00012'.split('')) {
        text += key;
        const start = performance.now();
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        times.push(performance.now() - start);
      }
      input.value = '';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      return times;
    });
    keystrokes.sort((a, b) => a - b);

    // Follow mode: 100 entries every 20 ms (5,000/s) for a while; then how long until the last is shown.
    const before = entries;
    const stop = Date.now() + followSeconds * 1000;
    let sent = 0;
    const lags = [];
    const lagSampler = (async () => {
      while (Date.now() < stop) {
        const shown = await page.evaluate(
          () =>
            document.querySelector('[data-testid="log-rows"] .row:last-child [data-testid="log-message"]')
              ?.textContent ?? '',
        );
        const shownSeq = Number(/follow (\d+)/.exec(shown)?.[1] ?? -1);
        lags.push(sent - 1 - shownSeq);
        await sleep(250);
      }
    })();
    while (Date.now() < stop) {
      const batchStart = Date.now();
      const batch = Array.from({ length: 100 }, (_, k) => `follow ${sent + k}`).join('\n');
      sent += 100;
      await post(`/sessions/${id}/log`, batch, 'text/plain');
      await sleep(Math.max(0, 20 - (Date.now() - batchStart)));
    }
    await lagSampler;
    const drained = Date.now();
    await page.waitForFunction(
      (last) =>
        document.querySelector('[data-testid="log-rows"] .row:last-child [data-testid="log-message"]')?.textContent ===
        `follow ${last}`,
      sent - 1,
      { timeout: 30_000 },
    );
    const catchUpMs = Date.now() - drained;
    const half = Math.floor(lags.length / 2);
    const avg = (list) => list.reduce((sum, value) => sum + value, 0) / Math.max(1, list.length);
    return {
      entries: before,
      keystrokeMedianMs: keystrokes[Math.floor(keystrokes.length / 2)],
      keystrokeMaxMs: keystrokes[keystrokes.length - 1],
      followEntriesPerSecond: sent / followSeconds,
      followLagFirstHalf: avg(lags.slice(0, half)),
      followLagSecondHalf: avg(lags.slice(half)),
      followCatchUpMs: catchUpMs,
      valid: keystrokes.length > 0 && lags.length > 0,
    };
  } finally {
    await browser.close();
  }
}
