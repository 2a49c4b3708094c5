import { Session } from '@zen/contract';
import { Browser, Page } from 'playwright-core';
import { BuiltServer, createSession, JSON_HEADERS, launchChromium, oid, seededRandom } from '@zen/testing';
import { cuttableWebSocket } from './browser';

const ACTIVE = 1200;
const ENDED = 800;
const MODES = ['cook', 'build', 'test'];

/**
 * The sessions table of a build farm: 2,000 sessions while 100 a second change (appends bump
 * `updated` and the counters, a few sessions a second are created and ended). Found by the
 * table audit (stop 56): every `sessions-delta` (every 100 ms) re-sorted the whole listing, two
 * `Date.parse` per comparison, and re-matched the quick filter on every session; at 10,000
 * sessions sorted by "last seen" that took the page's main thread ~75 % of the time, with frames
 * of up to 350 ms. The table now sorts and matches only the sessions a delta changed.
 */
describe('the sessions table of a busy build farm in Chromium (built server)', () => {
  let server: BuiltServer;
  let browser: Browser;
  const active: string[] = [];
  let next = 0;
  const random = seededRandom(56);

  const create = async (): Promise<string> => {
    const n = next++;
    const id = oid(0xfa000000 + n);
    const res = await createSession(server.url, id, {
      appname: `Agent${n % 300}`,
      mode: MODES[n % 3],
      jobid: `job-${n % 40}`,
    });
    if (!res.ok) throw new Error(`create ${id}: ${res.status}`);
    return id;
  };
  const end = async (id: string) => {
    const res = await fetch(`${server.url}/sessions/${id}`, { method: 'DELETE' });
    if (!res.ok) throw new Error(`end ${id}: ${res.status}`);
  };
  const append = async (id: string) => {
    const level = random() < 0.1 ? 'error' : 'info';
    const res = await fetch(`${server.url}/sessions/${id}/log`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ entries: [{ level, message: 'LogCook: step' }] }),
    });
    if (!res.ok) throw new Error(`append ${id}: ${res.status}`);
  };
  async function inTurns(count: number, each: () => Promise<void>): Promise<void> {
    let left = count;
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (left-- > 0) await each();
      }),
    );
  }

  /** 100 changes a second until stopped: appends to active sessions, ~3 creates and ~3 ends a second. */
  function startFeed(): () => Promise<void> {
    const pending = new Set<Promise<void>>();
    const track = (work: Promise<void>) => {
      pending.add(work);
      void work.finally(() => pending.delete(work));
    };
    const timer = setInterval(() => {
      for (let i = 0; i < 5; i++) {
        const r = random();
        if (r < 0.03) track(create().then((id) => void active.push(id)));
        else if (r < 0.06 && active.length > 100) track(end(active.splice(Math.floor(random() * active.length), 1)[0]));
        else track(append(active[Math.floor(random() * active.length)]));
      }
    }, 50);
    return async () => {
      clearInterval(timer);
      await Promise.all(pending);
    };
  }

  const listing = async (status: 'active' | 'ended' | 'all'): Promise<Session[]> =>
    ((await (await fetch(`${server.url}/sessions/?status=${status}`)).json()) as { sessions: Session[] }).sessions;
  /** The quick filter's rule (app, mode, job id, metadata values), for what the table should show. */
  const matches = (session: Session, text: string) =>
    [session.appname, session.mode, session.jobid ?? '', ...Object.values(session.metadata).map(String)].some((field) =>
      field.toLowerCase().includes(text),
    );
  const byLastSeen = (sessions: Session[]) => [...sessions].sort((a, b) => b.updated.localeCompare(a.updated));

  const rangeLabel = (page: Page) => page.locator('.mat-mdc-paginator-range-label').innerText();
  const rowsShown = (page: Page) =>
    page.evaluate(() =>
      Array.from(document.querySelectorAll('[data-testid=sessions-table] tr[data-session-id]')).map((row) => ({
        id: row.getAttribute('data-session-id') ?? '',
        updated: row.querySelector('td.mat-column-updated')?.getAttribute('title') ?? '',
        selected: row.classList.contains('selected'),
      })),
    );

  async function sortByLastSeen(page: Page): Promise<void> {
    const header = page.getByTestId('sessions-table').getByRole('columnheader', { name: 'Last seen' });
    await header.click();
    await header.click();
    await page.waitForFunction(
      () => document.querySelector('th[aria-sort="descending"]')?.textContent?.trim() === 'Last seen',
    );
  }

  /** The table at rest shows what the server holds: `text` matched, by last seen, page `pageIndex`, ten a page. */
  async function showsTheServersListing(page: Page, status: 'active' | 'ended' | 'all', text: string, pageIndex = 0) {
    const expected = byLastSeen((await listing(status)).filter((session) => matches(session, text)));
    const first = pageIndex * 10;
    const shown = expected.slice(first, first + 10);
    const label = `${first + 1} – ${first + shown.length} of ${expected.length}`;
    // Deltas come within SESSIONS_WS_DELTA_MS of the last change; the page applies them when it gets to it.
    await page.waitForFunction(
      ({ label, updated }) => {
        const rows = Array.from(document.querySelectorAll('[data-testid=sessions-table] tr[data-session-id]'));
        const range = document.querySelector('.mat-mdc-paginator-range-label')?.textContent?.trim();
        return (
          range === label &&
          rows.length === updated.length &&
          rows.every((row, i) => row.querySelector('td.mat-column-updated')?.getAttribute('title') === updated[i])
        );
      },
      { label, updated: shown.map((session) => session.updated) },
      { timeout: 20_000 },
    );
    const rows = await rowsShown(page);
    // Equal times may come in either order: each row once, each a session of the part shown, as the server holds it.
    expect(new Set(rows.map((row) => row.id)).size).toBe(rows.length);
    const updatedOf = new Map(expected.map((session) => [session.id, session.updated]));
    for (const row of rows) expect([row.id, updatedOf.get(row.id)]).toEqual([row.id, row.updated]);
  }

  beforeAll(async () => {
    server = await BuiltServer.start({ MAX_SESSIONS: '5000', SESSIONS_RETAIN_ENDED: '5000' });
    browser = await launchChromium();
    await inTurns(ENDED, async () => end(await create()));
    await inTurns(ACTIVE, async () => void active.push(await create()));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('keeps the rows in order, the page and the selection, sorting and matching only the sessions each delta changed', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      // The page's own work: sorts of many rows, and strings lowercased (the quick filter's matching).
      await page.addInitScript(() => {
        const work = { largeSorts: 0, lowerCased: 0 };
        (window as unknown as { work: typeof work }).work = work;
        const sort = Array.prototype.sort;
        Array.prototype.sort = function (this: unknown[], compare?: (a: unknown, b: unknown) => number) {
          if (this.length >= 100) work.largeSorts++;
          return sort.call(this, compare);
        };
        const lower = String.prototype.toLowerCase;
        String.prototype.toLowerCase = function (this: string) {
          work.lowerCased++;
          return lower.call(this);
        };
      });
      let deltas = 0;
      page.on('websocket', (socket) =>
        socket.on('framereceived', (frame) => {
          if (String(frame.payload).includes('"sessions-delta"')) deltas++;
        }),
      );
      await page.goto(`${server.url}/dashboard/?status=all`);
      const table = page.getByTestId('sessions-table');
      await table.locator('tr[data-session-id]').first().waitFor();
      await sortByLastSeen(page);
      await page.getByRole('textbox', { name: 'Filter sessions' }).fill('cook');
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.waitForFunction(() =>
        document.querySelector('.mat-mdc-paginator-range-label')?.textContent?.trim().startsWith('11 – 20 of'),
      );
      const chosen = (await rowsShown(page))[4].id;
      await table.locator(`tr[data-session-id="${chosen}"]`).click();
      await page.waitForURL(new RegExp(`/sessions/${chosen}`));

      const before = await page.evaluate(() => ({ ...(window as unknown as { work: object }).work }));
      const deltasBefore = deltas;
      const stop = startFeed();
      for (let waited = 0; deltas - deltasBefore < 40 && waited < 600; waited++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      await stop();
      await showsTheServersListing(page, 'all', 'cook', 1);
      const after = await page.evaluate(() => ({ ...(window as unknown as { work: object }).work }));
      const applied = deltas - deltasBefore;
      expect(applied).toBeGreaterThanOrEqual(40);
      // A full sort of the ~700 rows shown on each delta was 40 or more; the quick filter lowercased
      // three fields of every session, ~6,000 strings a delta.
      expect((after as { largeSorts: number }).largeSorts - (before as { largeSorts: number }).largeSorts).toBe(0);
      expect((after as { lowerCased: number }).lowerCased - (before as { lowerCased: number }).lowerCased).toBeLessThan(
        applied * 200,
      );

      // The page and the selection stayed as the user chose them.
      expect(await rangeLabel(page)).toMatch(/^11 – 20 of /);
      expect(page.url()).toContain(`/sessions/${chosen}`);
      await page.locator('zen-session-detail .id').filter({ hasText: chosen }).waitFor();
      const selectedRows = (await rowsShown(page)).filter((row) => row.selected).map((row) => row.id);
      expect(selectedRows.filter((id) => id !== chosen)).toEqual([]);

      // Each tab counts what the server holds: sessions ended meanwhile moved to the ended tab.
      for (const status of ['active', 'ended'] as const) {
        await page.getByTestId(`status-${status}`).click();
        const firstPage = page.getByRole('button', { name: 'First page' });
        if (await firstPage.isEnabled()) await firstPage.click();
        await showsTheServersListing(page, status, 'cook');
      }
    } finally {
      await page.close();
    }
  }, 120_000);

  it('shows each session once, as the server holds it, after the page reconnects in the middle of the feed', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      const socket = await cuttableWebSocket(page);
      await page.goto(`${server.url}/dashboard/?status=all`);
      await page.getByTestId('sessions-table').locator('tr[data-session-id]').first().waitFor();
      await sortByLastSeen(page);
      const stop = startFeed();
      try {
        await page.evaluate(() => new Promise((done) => setTimeout(done, 1000)));
        await socket.cut();
        await page.getByTestId('connection').getByText('Reconnecting').waitFor();
        await page.evaluate(() => new Promise((done) => setTimeout(done, 1000)));
        socket.restore();
        await page.getByTestId('connection').getByText('Live').waitFor({ timeout: 15_000 });
        await page.evaluate(() => new Promise((done) => setTimeout(done, 1000)));
      } finally {
        await stop();
      }
      await showsTheServersListing(page, 'all', '');
      for (const status of ['active', 'ended'] as const) {
        await page.getByTestId(`status-${status}`).click();
        await showsTheServersListing(page, status, '');
      }
    } finally {
      await page.close();
    }
  }, 120_000);
});
