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

/**
 * The merged view: `sessions` sessions × `entries` entries each in one log. A filter
 * keystroke until painted; then follow mode while 5,000 entries/s arrive spread over the
 * sessions, with the lag of the last shown row and the page's frame times (requestAnimationFrame
 * deltas) while it follows.
 */
export async function mergedDashboardWorkloads(server, { sessions, entries, followSeconds }) {
  const ids = Array.from({ length: sessions }, (_, i) => `e${String(i).padStart(23, '0')}`);
  const post = (path, body, type = 'application/json') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });
  for (const [s, id] of ids.entries()) {
    await post(`/sessions/${id}`, JSON.stringify({ appname: `agent-${s}`, jobid: 'bench-merged' }));
    for (let i = 0; i < entries; i += 1000) {
      const count = Math.min(1000, entries - i);
      await post(
        `/sessions/${id}/log`,
        Array.from(
          { length: count },
          (_, k) =>
            `LogCook: Display: entry ${s}-${String(i + k).padStart(7, '0')} ${k % 7 ? 'compile' : 'shader'} ${'x'.repeat(40)}`,
        ).join('\n'),
        'text/plain',
      );
    }
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const total = sessions * entries;
    await page.goto(`${server.url}/dashboard/sessions/${ids.join(',')}`);
    await page.getByTestId('log-count').getByText(`${total} / ${total} rows`).waitFor({ timeout: 60_000 });

    const keystrokes = await page.evaluate(async () => {
      const input = document.querySelector('[data-testid="log-filter"]');
      const times = [];
      let text = '';
      for (const key of 'shader 3-00012'.split('')) {
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

    // Frame times while following: every requestAnimationFrame delta.
    await page.evaluate(() => {
      window.__frames = [];
      let last = performance.now();
      const tick = (now) => {
        window.__frames.push(now - last);
        last = now;
        if (!window.__stopFrames) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const lastShown = () =>
      page.evaluate(() => {
        const rows = document.querySelectorAll('[data-testid="log-rows"] [role="row"] [data-testid="log-message"]');
        const text = rows[rows.length - 1]?.textContent ?? '';
        return Number(/follow (\d+)/.exec(text)?.[1] ?? -1);
      });
    // 5,000 entries/s: every 100 ms, 500 entries spread over the sessions.
    const perTick = Math.ceil(500 / sessions);
    const stop = Date.now() + followSeconds * 1000;
    let sent = 0;
    const lags = [];
    const sampler = (async () => {
      while (Date.now() < stop) {
        lags.push(sent - 1 - (await lastShown()));
        await sleep(250);
      }
    })();
    while (Date.now() < stop) {
      const tickStart = Date.now();
      await Promise.all(
        ids.map((id) => {
          const lines = [];
          for (let k = 0; k < perTick; k++) lines.push(`LogCook: Display: follow ${sent++}`);
          return post(`/sessions/${id}/log`, lines.join('\n'), 'text/plain');
        }),
      );
      await sleep(Math.max(0, 100 - (Date.now() - tickStart)));
    }
    await sampler;
    const drained = Date.now();
    await page.waitForFunction(
      (last) => {
        const rows = document.querySelectorAll('[data-testid="log-rows"] [role="row"] [data-testid="log-message"]');
        return rows[rows.length - 1]?.textContent?.endsWith(`Display: follow ${last}`) ?? false;
      },
      sent - 1,
      { timeout: 30_000 },
    );
    const catchUpMs = Date.now() - drained;
    const frames = await page.evaluate(() => {
      window.__stopFrames = true;
      return window.__frames.slice(1);
    });
    frames.sort((a, b) => a - b);
    const pct = (p) => frames[Math.min(frames.length - 1, Math.floor((p / 100) * frames.length))];
    const half = Math.floor(lags.length / 2);
    const avg = (list) => list.reduce((sum, value) => sum + value, 0) / Math.max(1, list.length);
    return {
      sessions,
      entries: total,
      keystrokeMedianMs: keystrokes[Math.floor(keystrokes.length / 2)],
      keystrokeMaxMs: keystrokes[keystrokes.length - 1],
      followEntriesPerSecond: sent / followSeconds,
      followLagFirstHalf: avg(lags.slice(0, half)),
      followLagSecondHalf: avg(lags.slice(half)),
      followCatchUpMs: catchUpMs,
      frameMedianMs: pct(50),
      frameP95Ms: pct(95),
      framesOver33MsPercent: (100 * frames.filter((ms) => ms > 1000 / 30).length) / Math.max(1, frames.length),
      valid: keystrokes.length > 0 && lags.length > 0 && frames.length > 0,
    };
  } finally {
    await browser.close();
  }
}
