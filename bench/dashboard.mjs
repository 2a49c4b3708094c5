// Dashboard workloads in Chromium: a filter keystroke on a large log until the next frame
// is painted, and follow mode while 5,000 entries/s stream in; on one session's log and on
// the merged view of several.
import { join } from 'node:path';
import { REPO, sleep } from './common.mjs';
import { importBundled } from './typescript-import.mjs';
const avg = (list) => list.reduce((sum, value) => sum + value, 0) / Math.max(1, list.length);
const median = (sorted) => sorted[Math.floor(sorted.length / 2)];

/** One session's log: `entries` entries, then follow mode with 100 entries every 20 ms. */
export async function dashboardWorkloads(server, { entries, followSeconds }) {
  const id = 'd'.repeat(24);
  const post = poster(server);
  await post(`/sessions/${id}`, '{"appname":"dashboard-bench"}');
  await fill(
    post,
    id,
    entries,
    (n, k) => `entry ${String(n).padStart(7, '0')} ${k % 7 ? 'compile' : 'shader'} ${'x'.repeat(60)}`,
  );
  return inDashboard(server, `/sessions/${id}`, entries, async (page) => {
    const keystrokes = await typeFilter(page, 'shader 00012');
    const follow = await followWhileSending(page, { followSeconds, tickMs: 20, perTick: 100 }, (from) => {
      const lines = Array.from({ length: 100 }, (_, k) => `follow ${from + k}`);
      return post(`/sessions/${id}/log`, lines.join('\n'), 'text/plain');
    });
    return {
      entries,
      ...keystrokeFigures(keystrokes),
      ...follow.figures,
      valid: keystrokes.length > 0 && follow.lags.length > 0,
    };
  });
}

/**
 * The merged view: `sessions` sessions × `entries` entries each in one log. A filter
 * keystroke until painted; then follow mode while 5,000 entries/s arrive spread over the
 * sessions, with the lag of the last shown row and the page's frame times (requestAnimationFrame
 * deltas) while it follows.
 */
export async function mergedDashboardWorkloads(server, { sessions, entries, followSeconds }) {
  const ids = Array.from({ length: sessions }, (_, i) => `e${String(i).padStart(23, '0')}`);
  const post = poster(server);
  for (const [s, id] of ids.entries()) {
    await post(`/sessions/${id}`, JSON.stringify({ appname: `agent-${s}`, jobid: 'bench-merged' }));
    await fill(
      post,
      id,
      entries,
      (n, k) =>
        `LogCook: Display: entry ${s}-${String(n).padStart(7, '0')} ${k % 7 ? 'compile' : 'shader'} ${'x'.repeat(40)}`,
    );
  }
  const total = sessions * entries;
  return inDashboard(server, `/sessions/${ids.join(',')}`, total, async (page) => {
    const keystrokes = await typeFilter(page, 'shader 3-00012');
    await startFrameClock(page);
    const follow = await followMerged(page, ids, followSeconds, post);
    const frames = await stopFrameClock(page);
    const pct = (p) => frames[Math.min(frames.length - 1, Math.floor((p / 100) * frames.length))];
    return {
      sessions,
      entries: total,
      ...keystrokeFigures(keystrokes),
      ...follow.figures,
      frameMedianMs: pct(50),
      frameP95Ms: pct(95),
      framesOver33MsPercent: (100 * frames.filter((ms) => ms > 1000 / 30).length) / Math.max(1, frames.length),
      valid: keystrokes.length > 0 && follow.lags.length > 0 && frames.length > 0,
    };
  });
}

const poster =
  (server) =>
  (path, body, type = 'application/json') =>
    fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': type }, body });

/** Appends `entries` lines to session `id`, 1,000 a request; `line(n, k)` is entry n, the k-th of its batch. */
async function fill(post, id, entries, line) {
  for (let i = 0; i < entries; i += 1000) {
    const count = Math.min(1000, entries - i);
    const lines = Array.from({ length: count }, (_, k) => line(i + k, k));
    await post(`/sessions/${id}/log`, lines.join('\n'), 'text/plain');
  }
}

/** Opens the dashboard at `path` in Chromium, waits until it shows all `rows`, and runs `use(page)`. */
async function inDashboard(server, path, rows, use) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.addInitScript(noteReceipts);
    await page.goto(`${server.url}/dashboard${path}`);
    await page.getByTestId('log-count').getByText(`${rows} / ${rows} rows`).waitFor({ timeout: 60_000 });
    return await use(page);
  } finally {
    await browser.close();
  }
}

/**
 * The launch the product's e2e tests use (`launchChromium` of @zen/testing): this plain-JS
 * bench bundles that TypeScript module with esbuild (importBundled of typescript-import.mjs).
 */
async function launchChromium() {
  const chromium = join(REPO, 'libs/testing/src/lib/chromium.ts');
  return (await importBundled(chromium, { external: ['playwright-core'] })).launchChromium();
}

/**
 * Types `text` into the log filter a key at a time, then clears it: each key's time until two
 * frames later (rendered and painted), in typing order. Also bench/profile-dashboard.mjs's.
 */
export function keystrokeTimes(page, text) {
  return page.evaluate(async (keys) => {
    const input = document.querySelector('[data-testid="log-filter"]');
    const twoFrames = () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
    const times = [];
    let value = '';
    for (const key of keys) {
      value += key;
      const start = performance.now();
      input.value = value;
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await twoFrames();
      times.push(performance.now() - start);
    }
    input.value = '';
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await twoFrames();
    return times;
  }, text.split(''));
}

/** The keystroke times of typing `text`, sorted. */
async function typeFilter(page, text) {
  return (await keystrokeTimes(page, text)).sort((a, b) => a - b);
}

const keystrokeFigures = (sorted) => ({ keystrokeMedianMs: median(sorted), keystrokeMaxMs: sorted[sorted.length - 1] });

/**
 * In the page, before the app: every WebSocket message with `follow N` lines is noted as
 * [its highest N, when it arrived], so a sample can tell how long what arrived has waited.
 * Also bench/profile-dashboard.mjs's.
 */
export function noteReceipts() {
  window.__receipts = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (typeof event.data !== 'string' || !event.data.includes('follow ')) return;
        let last = -1;
        for (const match of event.data.matchAll(/follow (\d+)/g)) last = Math.max(last, Number(match[1]));
        window.__receipts.push([last, performance.now()]);
      });
    }
  };
}

/**
 * The number N of the last row shown, a `follow N` line (-1 before any), and how long the
 * oldest message the page received with a later entry has waited to be shown (0: none).
 */
export const lastShown = (page) =>
  page.evaluate(() => {
    const rows = document.querySelectorAll('[data-testid="log-rows"] [role="row"] [data-testid="log-message"]');
    const shown = Number(/follow (\d+)$/.exec(rows[rows.length - 1]?.textContent ?? '')?.[1] ?? -1);
    const waiting = window.__receipts.find(([last]) => last > shown);
    return { shown, waitedMs: waiting ? performance.now() - waiting[1] : 0 };
  });

/**
 * Follow mode: every `tickMs` for `followSeconds`, `send(from)` appends the `perTick` entries
 * `follow from…`; every 250 ms the lag of the last shown row behind the last sent is sampled,
 * and how long what the page received has waited to be shown.
 * Then how long until the last entry is shown.
 */
async function followWhileSending(page, { followSeconds, tickMs, perTick }, send) {
  const stop = Date.now() + followSeconds * 1000;
  let sent = 0;
  const lags = [];
  const waits = [];
  const sampler = (async () => {
    while (Date.now() < stop) {
      // Read what is shown first: `sent` moves on while the page answers.
      const { shown, waitedMs } = await lastShown(page);
      lags.push(sent - 1 - shown);
      waits.push(waitedMs);
      await sleep(250);
    }
  })();
  while (Date.now() < stop) {
    const tickStart = Date.now();
    const from = sent;
    sent += perTick;
    await send(from);
    await sleep(Math.max(0, tickMs - (Date.now() - tickStart)));
  }
  await sampler;
  const drained = Date.now();
  // Caught up when a row of the last tick is shown. Not "the last row is the last sent": a
  // merged view orders by arrival time, and one tick's appends to several sessions arrive in
  // any order, so the highest number may sit above rows that are not rendered.
  await page.waitForFunction(
    (lastTick) =>
      [...document.querySelectorAll('[data-testid="log-rows"] [role="row"] [data-testid="log-message"]')].some(
        (row) => Number(/follow (\d+)$/.exec(row.textContent ?? '')?.[1] ?? -1) >= lastTick,
      ),
    sent - perTick,
    { timeout: 60_000 },
  );
  const half = Math.floor(lags.length / 2);
  return {
    lags,
    figures: {
      followEntriesPerSecond: sent / followSeconds,
      followLagFirstHalf: avg(lags.slice(0, half)),
      followLagSecondHalf: avg(lags.slice(half)),
      followCatchUpMs: Date.now() - drained,
      // What the target names: received by the page, not yet shown (the lag above also counts
      // entries still being posted: a whole tick as soon as it starts).
      followWaitMedianMs: median(waits.sort((a, b) => a - b)),
      followWaitMaxMs: waits[waits.length - 1],
    },
  };
}

/**
 * Follow on the merged view of `ids` while 5,000 entries/s arrive: every 100 ms, 500 entries
 * spread over the sessions, appended with `post(path, body, type)`. Also profile-dashboard.mjs's.
 */
export function followMerged(page, ids, followSeconds, post) {
  const perSession = Math.ceil(500 / ids.length);
  const tick = { followSeconds, tickMs: 100, perTick: perSession * ids.length };
  return followWhileSending(page, tick, (from) =>
    Promise.all(
      ids.map((id, s) => {
        const lines = Array.from(
          { length: perSession },
          (_, k) => `LogCook: Display: follow ${from + s * perSession + k}`,
        );
        return post(`/sessions/${id}/log`, lines.join('\n'), 'text/plain');
      }),
    ),
  );
}

/** Records every requestAnimationFrame delta of the page from now on. */
export const startFrameClock = (page) =>
  page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (!window.__stopFrames) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });

/** The frame times since startFrameClock, sorted. */
async function stopFrameClock(page) {
  const frames = await page.evaluate(() => {
    window.__stopFrames = true;
    return window.__frames.slice(1);
  });
  return frames.sort((a, b) => a - b);
}
