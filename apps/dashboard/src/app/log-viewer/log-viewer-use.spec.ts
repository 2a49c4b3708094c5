import { Clipboard } from '@angular/cdk/clipboard';
import { Component, Provider } from '@angular/core';
import { Location } from '@angular/common';
import { provideLocationMocks } from '@angular/common/testing';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { LogEntry, Session } from '@zen/contract';
import { FakeSocket, openLiveSocket, provideFakeSockets } from '../testing/fake-socket';
import { entry, session } from '../testing/sessions';
import { LogViewer } from './log-viewer';
import { BACKLOG_WAIT_MS } from './permalink-line';
import { LINE_HEIGHT } from './row-layout';

@Component({ template: '' })
class Blank {}

const at = (seq: number, second: number, message: string, level: LogEntry['level'] = 'info'): LogEntry => ({
  ...entry(seq, message, level),
  time: new Date(Date.UTC(2026, 10, 24, 12, 0, second)).toISOString(),
});

/** A viewer opened at `url`, showing `sessions`, with each session's entries delivered and rendered. */
async function open(url: string, sessions: Session[], entries: Record<string, LogEntry[]>, providers: Provider[] = []) {
  TestBed.configureTestingModule({
    imports: [LogViewer],
    providers: [provideRouter([{ path: '**', component: Blank }]), provideFakeSockets(), ...providers],
  });
  await TestBed.inject(Router).navigateByUrl(url);
  openLiveSocket();
  const fixture = TestBed.createComponent(LogViewer);
  fixture.componentRef.setInput('sessions', sessions);
  fixture.detectChanges();
  for (const s of sessions) {
    const list = entries[s.id] ?? [];
    FakeSocket.latest().push({ event: 'log', data: { id: s.id, entries: list, cursor: list.length, dropped: 0 } });
  }
  await settle(fixture);
  document.body.appendChild(fixture.nativeElement);
  return fixture;
}

async function settle(fixture: ComponentFixture<LogViewer>): Promise<void> {
  await new Promise((resolve) => requestAnimationFrame(resolve));
  fixture.detectChanges();
  await fixture.whenStable();
  fixture.detectChanges();
}

/** The URL follows the filters after a short pause. */
const urlSettled = () => new Promise((resolve) => setTimeout(resolve, 500));
const el = (fixture: ComponentFixture<LogViewer>) => fixture.nativeElement as HTMLElement;
const rowsOf = (fixture: ComponentFixture<LogViewer>) =>
  Array.from(el(fixture).querySelectorAll('[role="row"]')) as HTMLElement[];
/** The messages as shown on a wide screen (the inline category is for phone width only). */
const messagesOf = (fixture: ComponentFixture<LogViewer>) =>
  Array.from(el(fixture).querySelectorAll('[data-testid="log-message"]')).map((cell) => shownText(cell as HTMLElement));
const shownText = (cell: HTMLElement) => {
  const copy = cell.cloneNode(true) as HTMLElement;
  copy.querySelectorAll('.cat-inline').forEach((inline) => inline.remove());
  return copy.textContent;
};
const selectedSeqs = (fixture: ComponentFixture<LogViewer>) =>
  rowsOf(fixture)
    .filter((row) => row.getAttribute('aria-selected') === 'true')
    .map((row) => Number(row.dataset['seq']));
const press = async (fixture: ComponentFixture<LogViewer>, key: string, target: EventTarget = document.body) => {
  target.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true }));
  await settle(fixture);
};
/** jsdom lays nothing out: every element measures 800 × 600, as the log's viewport would. */
const sizeEveryElement = () => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
  Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 });
};
/** Resolves in the next animation frame. */
const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
const button = (fixture: ComponentFixture<LogViewer>, text: string) =>
  Array.from(el(fixture).querySelectorAll('button')).find((b) => b.textContent?.trim() === text) as HTMLButtonElement;

describe('the log viewer, as a person uses it', () => {
  const s = session({ logCount: 5, logCursor: 5 });
  const lines = [
    at(0, 1, 'LogInit: Display: Running engine'),
    at(1, 2, 'LogShader: Warning: slow shader'),
    at(2, 3, '\x1b[1;31mLogCook: Error: cook failed\x1b[0m'),
    at(3, 4, 'plain line'),
    { ...at(4, 5, 'LogCook: Error: second failure'), data: { ms: 5120, nested: { list: [1, 2] } } },
  ];

  beforeAll(sizeEveryElement);

  afterEach(() => document.body.replaceChildren());

  it('tints and marks error and warning rows, beyond the level word', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    const [info, warn, error] = rowsOf(fixture);
    expect(info.classList).toContain('info');
    expect(warn.classList).toContain('warn');
    expect(error.classList).toContain('error');
    expect(warn.querySelector('.marker')?.textContent).toBe('▲');
    expect(error.querySelector('.marker')?.textContent).toBe('✖');
  });

  it('shows ANSI colour and bold as styled text, with the escape codes gone', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    const cell = rowsOf(fixture)[2].querySelector('[data-testid="log-message"]') as HTMLElement;
    expect(shownText(cell)).toBe('Error: cook failed');
    const styled = cell.querySelector('span.fg') as HTMLElement;
    expect(styled.classList).toContain('b');
    expect(styled.style.getPropertyValue('--fg')).toBe('rgb(205, 49, 49)');
    expect(el(fixture).textContent).not.toContain('\x1b');
  });

  it('shows Unreal categories in their own column and filters by one', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    const categories = Array.from(el(fixture).querySelectorAll('[data-testid="log-category-cell"]')).map(
      (c) => c.textContent,
    );
    expect(categories).toEqual(['LogInit', 'LogShader', 'LogCook', '', 'LogCook']);
    fixture.componentInstance.setCategory('LogCook');
    await settle(fixture);
    expect(messagesOf(fixture)).toEqual(['Error: cook failed', 'Error: second failure']);
    await urlSettled();
    expect(TestBed.inject(Router).url).toContain('category=LogCook');
  });

  // Found by the dashboard audit: a link naming a category the log has not shown yet (a shared link
  // opened before the agents logged it, or mistyped) hid every row while the Category field looked
  // empty, so nothing on screen said which filter hid them, or offered to clear it.
  it("shows a link's category in the Category field even before the log has a line of it", async () => {
    const fixture = await open(`/sessions/${s.id}?category=LogStreaming`, [s], { [s.id]: lines });
    expect(rowsOf(fixture)).toHaveLength(0);
    const field = el(fixture).querySelector('[data-testid="log-category"]') as HTMLElement;
    expect(field.textContent?.trim()).toBe('LogStreaming');
  });

  // Found by the dashboard audit: with no line shown, Copy shown → Copy as text emptied the clipboard
  // and confirmed "Copied 0 lines as text".
  it('offers no copy while no line is shown', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    const copy = el(fixture).querySelector('[data-testid="copy-menu"]') as HTMLButtonElement;
    expect(copy.disabled).toBe(false);
    fixture.componentInstance.setText('no such text');
    await settle(fixture);
    expect(copy.disabled).toBe(true);
  });

  it('says when the filters hide every entry, rather than showing an empty log', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    expect(el(fixture).querySelector('[data-testid="no-match"]')).toBeNull();
    fixture.componentInstance.setText('no such text');
    await settle(fixture);
    expect(rowsOf(fixture)).toHaveLength(0);
    expect(el(fixture).querySelector('[data-testid="no-match"]')?.textContent?.trim()).toBe(
      'No entry matches the filters (5 hidden).',
    );
  });

  it('keeps the filter, level, regex flag and order in the URL, and opens with them', async () => {
    let fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    fixture.componentInstance.setText('fail(ed|ure)');
    fixture.componentInstance.setRegex(true);
    fixture.componentInstance.setLevel('warn');
    fixture.componentInstance.setNewestFirst(true);
    await settle(fixture);
    await urlSettled();
    const url = TestBed.inject(Router).url;
    expect(url).toContain('q=fail(ed%7Cure)');
    expect(url).toContain('re=1');
    expect(url).toContain('level=warn');
    expect(url).toContain('order=newest');

    TestBed.resetTestingModule();
    fixture = await open(url, [s], { [s.id]: lines });
    expect(messagesOf(fixture)).toEqual(['Error: second failure', 'Error: cook failed']);
    expect((el(fixture).querySelector('[data-testid="log-filter"]') as HTMLInputElement).value).toBe('fail(ed|ure)');
  });

  it('opens a permalink scrolled to and highlighting its line, and says when the line was evicted', async () => {
    const fixture = await open(`/sessions/${s.id}?line=3`, [s], { [s.id]: lines });
    const row = el(fixture).querySelector('[data-seq="3"]') as HTMLElement;
    expect(row.classList).toContain('highlight');
    expect(row.getAttribute('aria-selected')).toBe('true');
    expect(button(fixture, 'Follow')).toBeTruthy();

    TestBed.resetTestingModule();
    const trimmed = session({ logCount: 5, logCursor: 105 });
    const evicted = await open(`/sessions/${trimmed.id}?line=7`, [trimmed], {});
    expect(el(evicted).querySelector('[data-testid="line-notice"]')?.textContent).toContain(
      'Line 7 was evicted: the server now holds lines 100–104',
    );
  });

  // Found by stop 59's accessibility audit: the permalinked line was marked by its outline alone,
  // which a screen reader does not tell; once the selection moved on, nothing said which line the link named.
  it('marks the permalinked line aria-current, not by its outline alone, after the selection moves on', async () => {
    const fixture = await open(`/sessions/${s.id}?line=3`, [s], { [s.id]: lines });
    const current = () => rowsOf(fixture).filter((row) => row.getAttribute('aria-current') === 'true');
    expect(current().map((row) => Number(row.dataset['seq']))).toEqual([3]);
    await press(fixture, 'j');
    expect(selectedSeqs(fixture)).toEqual([4]);
    expect(current().map((row) => Number(row.dataset['seq']))).toEqual([3]);
    await press(fixture, 'Escape');
    expect(current()).toEqual([]);
  });

  // Found by review: a log holding one line or none was said to hold "lines 104–104" or "105–104",
  // and a session of one line "has 1 lines".
  it('says in plain words that a log holds one line, none, or has one line only', async () => {
    const notice = async (held: Session, line: number) => {
      TestBed.resetTestingModule();
      const fixture = await open(`/sessions/${held.id}?line=${line}`, [held], {});
      return el(fixture).querySelector('[data-testid="line-notice"]')?.textContent;
    };
    expect(await notice(session({ logCount: 1, logCursor: 105 }), 7)).toContain(
      'Line 7 was evicted: the server now holds only line 104 of this session.',
    );
    expect(await notice(session({ logCount: 0, logCursor: 105 }), 7)).toContain(
      "Line 7 was evicted: the server holds none of this session's lines now.",
    );
    expect(await notice(session({ logCount: 1, logCursor: 1 }), 5)).toContain(
      'Line 5 has not been written: this session has 1 line.',
    );
  });

  // Found by the dashboard audit: with a server keeping more than 10,000 lines (LOG_CAPACITY), the view
  // read the whole log to keep its last 10,000 rows; a permalinked line before those was shown, then
  // dropped as the rest came in, leaving no line, no outline and no word of why.
  it('says when a permalinked line is older than the rows the view keeps, and reads no further back than those', async () => {
    const long = session({ logCount: 100_000, logCursor: 100_000 });
    const fixture = await open(`/sessions/${long.id}?line=50000`, [long], {});
    expect(el(fixture).querySelector('[data-testid="line-notice"]')?.textContent).toContain(
      'Line 50000 is older than the 10000 newest lines this view shows',
    );
    const follows = FakeSocket.latest().sent.filter((message) => message.event === 'subscribe-log');
    expect(follows.map((message) => message.data)).toEqual([{ id: long.id, cursor: 90_000 }]);

    // A line among those rows is shown, and only what comes after the backlog is new.
    TestBed.resetTestingModule();
    const shownLines = Array.from({ length: 10_000 }, (_, i) => at(90_000 + i, 0, `line ${90_000 + i}`));
    const opened = await open(`/sessions/${long.id}?line=95000`, [long], { [long.id]: shownLines });
    await settle(opened);
    expect(el(opened).querySelector('[data-seq="95000"]')?.classList).toContain('highlight');
    const news = [at(100_000, 1, 'new 1'), at(100_001, 1, 'new 2')];
    FakeSocket.latest().push({ event: 'log', data: { id: long.id, entries: news, cursor: 100_002, dropped: 0 } });
    await settle(opened);
    expect(el(opened).querySelector('[data-testid="new-entries"]')?.textContent).toContain('2 new entries');
  });

  // Found by review: a single session's line waited for as many rows as the listing's logCount;
  // entries evicted between the listing and the read come as one gap row, and it was never shown.
  it('opens a permalink on its line when fewer rows come than the session listed', async () => {
    const listed = session({ logCount: 10, logCursor: 10 });
    const fixture = await open(`/sessions/${listed.id}?line=8`, [listed], {});
    const kept = [5, 6, 7, 8, 9].map((seq) => at(seq, seq, `line ${seq}`));
    FakeSocket.latest().push({ event: 'log', data: { id: listed.id, entries: kept, cursor: 10, dropped: 5 } });
    await settle(fixture);
    await settle(fixture);
    const row = el(fixture).querySelector('[data-seq="8"]') as HTMLElement;
    expect(row.classList).toContain('highlight');
    expect(row.getAttribute('aria-selected')).toBe('true');
  });

  it("says when a link's line is no line number, rather than opening as if it named none", async () => {
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      TestBed.resetTestingModule();
      const fixture = await open(`/sessions/${s.id}?line=${bad}`, [s], { [s.id]: lines });
      expect(el(fixture).querySelector('[data-testid="line-notice"]')?.textContent).toContain(
        `"${bad}" in the link is not a line number`,
      );
    }
  });

  it('answers keys: j/k move, n/N jump between errors, f follows, Esc clears, / focuses the filter, ? lists them', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    await press(fixture, 'g');
    expect(button(fixture, 'Follow')).toBeTruthy();
    await press(fixture, 'j');
    expect(selectedSeqs(fixture)).toEqual([0]);
    await press(fixture, 'j');
    await press(fixture, 'j');
    await press(fixture, 'k');
    expect(selectedSeqs(fixture)).toEqual([1]);
    expect(button(fixture, 'Follow')).toBeTruthy();
    await press(fixture, 'n');
    expect(selectedSeqs(fixture)).toEqual([2]);
    await press(fixture, 'n');
    expect(selectedSeqs(fixture)).toEqual([4]);
    await press(fixture, 'N');
    expect(selectedSeqs(fixture)).toEqual([2]);
    await press(fixture, 'Escape');
    expect(selectedSeqs(fixture)).toEqual([]);
    await press(fixture, 'f');
    expect(button(fixture, 'Following')).toBeTruthy();
    await press(fixture, 'f');
    expect(button(fixture, 'Follow')).toBeTruthy();

    const filter = el(fixture).querySelector('[data-testid="log-filter"]') as HTMLInputElement;
    await press(fixture, '/');
    expect(document.activeElement).toBe(filter);
    // Typing in the field: nothing fires.
    await press(fixture, 'f', filter);
    await press(fixture, 'j', filter);
    expect(button(fixture, 'Follow')).toBeTruthy();
    expect(selectedSeqs(fixture)).toEqual([]);

    filter.blur();
    await press(fixture, '?');
    expect(document.querySelector('mat-dialog-container')?.textContent).toContain('Keyboard shortcuts');
  });

  // Found by stop 59's accessibility audit: j/k, n/N and a click moved the selected row while the
  // keyboard's focus stayed on the grid, which named no row: a screen reader said nothing as the selection moved.
  it("points the grid's aria-activedescendant at the selected line as j/k and n move it", async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    const grid = el(fixture).querySelector('[role="grid"]') as HTMLElement;
    const active = () => {
      const id = grid.getAttribute('aria-activedescendant');
      return id === null ? null : Number((grid.querySelector(`[id="${id}"]`) as HTMLElement | null)?.dataset['seq']);
    };
    expect(active()).toBeNull();
    await press(fixture, 'g');
    await press(fixture, 'j', grid);
    expect(selectedSeqs(fixture)).toEqual([0]);
    expect(active()).toBe(0);
    await press(fixture, 'j', grid);
    expect(active()).toBe(1);
    await press(fixture, 'n', grid);
    expect(active()).toBe(2);
    await press(fixture, 'Escape', grid);
    expect(grid.hasAttribute('aria-activedescendant')).toBe(false);
  });

  it('opens structured data inline as a tree that folds', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    const toggle = el(fixture).querySelector('[aria-label="Data of line 4"]') as HTMLButtonElement;
    toggle.click();
    await settle(fixture);
    const items = () =>
      Array.from(el(fixture).querySelectorAll('[role="treeitem"]')).map((item) =>
        item.textContent?.replace(/\s+/g, ' ').trim(),
      );
    expect(items()).toEqual(['▾ {2 keys}', 'ms:5120', '▾ nested:{1 key}', '▾ list:[2 items]', '0:1', '1:2']);
    (el(fixture).querySelector('[aria-label="Fold nested"]') as HTMLButtonElement).click();
    await settle(fixture);
    expect(items()).toEqual(['▾ {2 keys}', 'ms:5120', '▸ nested:{1 key}']);
  });

  it('wraps long lines on request, and shows times relative to the first entry', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    const grid = el(fixture).querySelector('[role="grid"]') as HTMLElement;
    expect(grid.classList).not.toContain('wrap');
    fixture.componentInstance.prefs.wrap.set(true);
    fixture.componentInstance.prefs.relativeTimes.set(true);
    await settle(fixture);
    expect(grid.classList).toContain('wrap');
    const times = Array.from(el(fixture).querySelectorAll('[role="row"] .time')).map((cell) =>
      cell.textContent?.trim(),
    );
    expect(times.slice(0, 2)).toEqual(['+0.000s', '+1.000s']);
    fixture.componentInstance.prefs.wrap.set(false);
    fixture.componentInstance.prefs.relativeTimes.set(false);
  });

  it('dates the times of a log that spans days, and shows times of day alone within one', async () => {
    const times = (fixture: ComponentFixture<LogViewer>) =>
      Array.from(el(fixture).querySelectorAll('[role="row"] .time')).map((cell) => cell.textContent?.trim());
    const oneDay = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    expect(times(oneDay)[0]).toMatch(/^\d\d:\d\d:\d\d\.000$/);
    TestBed.resetTestingModule();
    // An editor session left running over a weekend: its last entry two days after its first.
    const later = { ...at(5, 6, 'Monday'), time: new Date(Date.UTC(2026, 10, 26, 12)).toISOString() };
    const days = await open(`/sessions/${s.id}`, [{ ...s, logCount: 6, logCursor: 6 }], { [s.id]: [...lines, later] });
    const shown = times(days);
    expect(shown[0]).toMatch(/^2026-11-2\d \d\d:\d\d:\d\d\.000$/);
    expect(shown.at(-1)).toMatch(/^2026-11-2\d \d\d:\d\d:\d\d\.000$/);
    expect(shown[0]?.slice(0, 10)).not.toBe(shown.at(-1)?.slice(0, 10));
  });

  it('filters to a time range dragged on the histogram, and clears it with Esc', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    expect(el(fixture).querySelector('[data-testid="histogram"]')?.getAttribute('aria-label')).toContain(
      '5 entries, 2 errors, 1 warning',
    );
    fixture.componentInstance.setRange({
      from: Date.UTC(2026, 10, 24, 12, 0, 2),
      to: Date.UTC(2026, 10, 24, 12, 0, 3),
    });
    await settle(fixture);
    expect(messagesOf(fixture)).toEqual(['Warning: slow shader', 'Error: cook failed']);
    expect(el(fixture).querySelector('[data-testid="range-chip"]')).toBeTruthy();
    await press(fixture, 'Escape');
    expect(messagesOf(fixture)).toHaveLength(5);
  });

  // Found by the time audit: a range over decades read `00:00:00 – 23:59:59`.
  it('dates the range chip when the range spans days', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    fixture.componentInstance.setRange({ from: Date.UTC(1970, 0, 1, 12), to: Date.UTC(9999, 11, 30, 12) });
    await settle(fixture);
    expect(el(fixture).querySelector('[data-testid="range-chip"]')?.textContent).toMatch(
      /^1970-01-0\d \d\d:\d\d:\d\d – 9999-12-\d\d \d\d:\d\d:\d\d/,
    );
  });

  // Found by the dashboard audit: in a log over three days, a range dragged within one of them
  // read `07:00:00 – 17:59:59`, with no word of which day, while the rows were dated.
  it('dates the range chip and the histogram of a log that spans days, the range within one day', async () => {
    const later = { ...at(5, 6, 'Monday'), time: new Date(Date.UTC(2026, 10, 26, 12)).toISOString() };
    const fixture = await open(`/sessions/${s.id}`, [{ ...s, logCount: 6, logCursor: 6 }], {
      [s.id]: [...lines, later],
    });
    fixture.componentInstance.setRange({
      from: Date.UTC(2026, 10, 24, 12, 0, 2),
      to: Date.UTC(2026, 10, 24, 12, 0, 3),
    });
    await settle(fixture);
    expect(el(fixture).querySelector('[data-testid="range-chip"]')?.textContent).toMatch(
      /^2026-11-2\d \d\d:\d\d:\d\d – 2026-11-2\d \d\d:\d\d:\d\d/,
    );
    expect(el(fixture).querySelector('[data-testid="histogram"]')?.getAttribute('aria-label')).toMatch(
      /time range 2026-11-2\d \S+ to 2026-11-2\d \S+$/,
    );
  });

  it('works the histogram by keyboard: arrows choose a bar, Enter jumps; Shift+arrows select a range, Enter filters; Esc clears', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    const chart = el(fixture).querySelector('[data-testid="histogram"]') as HTMLElement;
    const key = async (key: string, shiftKey = false) => {
      chart.dispatchEvent(new KeyboardEvent('keydown', { key, shiftKey, bubbles: true, cancelable: true }));
      await settle(fixture);
    };
    expect(chart.getAttribute('role')).toBe('slider');
    expect(chart.getAttribute('tabindex')).toBe('0');
    expect(chart.getAttribute('aria-label')).toContain('5 entries, 2 errors, 1 warning; no time range');
    chart.focus();
    await key('ArrowRight');
    expect(chart.getAttribute('aria-valuenow')).toBe('1');
    expect(chart.getAttribute('aria-valuetext')).toMatch(/: 1 entry, 0 errors, 0 warnings$/);
    expect(el(fixture).querySelector('[data-testid="histogram-cursor"]')).toBeTruthy();
    await key('Enter');
    expect(selectedSeqs(fixture)).toEqual([0]);
    expect(button(fixture, 'Follow')).toBeTruthy();

    // From the last bar, ten bars back: the last second (lines 3 and 4), as a drag would.
    await key('End');
    expect(chart.getAttribute('aria-valuetext')).toMatch(/: 1 entry, 1 error, 0 warnings$/);
    for (let i = 0; i < 10; i++) await key('ArrowLeft', true);
    expect(chart.getAttribute('aria-valuetext')).toMatch(/Selected .*: 2 entries, 1 error, 0 warnings; Enter filters/);
    expect(el(fixture).querySelector('.band')).toBeTruthy();
    await key('Enter');
    expect(messagesOf(fixture)).toEqual(['plain line', 'Error: second failure']);
    expect(chart.getAttribute('aria-label')).toContain('; time range ');

    // The page's keys that the chart does not take still work there; those it takes go no further.
    await key('j');
    expect(selectedSeqs(fixture)).toEqual([3]);
    await key('Escape');
    expect(messagesOf(fixture)).toHaveLength(5);
    expect(selectedSeqs(fixture)).toEqual([3]);
    // Nothing of the chart's left to clear: the page's Esc takes the selection.
    await key('Escape');
    expect(selectedSeqs(fixture)).toEqual([]);
    // A selection being made goes with Esc, and leaves the range as it was.
    await key('ArrowLeft', true);
    expect(el(fixture).querySelector('.band')).toBeTruthy();
    await key('Escape');
    expect(el(fixture).querySelector('.band')).toBeNull();
  });

  it('shows the permalinked line again after back and forward', async () => {
    const fixture = await open(`/sessions/${s.id}?line=3`, [s], { [s.id]: lines }, [provideLocationMocks()]);
    const router = TestBed.inject(Router);
    const location = TestBed.inject(Location);
    // What the app's bootstrap does: the router hears the browser's back and forward.
    router.setUpLocationChangeListener();
    const highlighted = () =>
      Array.from(el(fixture).querySelectorAll('.highlight')).map((row) => Number(row.getAttribute('data-seq')));
    expect(highlighted()).toEqual([3]);
    await router.navigateByUrl(`/sessions/${s.id}?status=ended`);
    await press(fixture, 'Escape');
    expect(highlighted()).toEqual([]);
    expect(selectedSeqs(fixture)).toEqual([]);

    location.back();
    await settle(fixture);
    await settle(fixture);
    expect(router.url).toBe(`/sessions/${s.id}?line=3`);
    expect(highlighted()).toEqual([3]);
    expect(selectedSeqs(fixture)).toEqual([3]);
    expect(button(fixture, 'Follow')).toBeTruthy();

    // Forward to the entry that names no line: nothing outlined.
    location.forward();
    await settle(fixture);
    await settle(fixture);
    expect(router.url).toBe(`/sessions/${s.id}?status=ended`);
    expect(highlighted()).toEqual([]);
  });

  it('copies the selected lines as text or NDJSON, and a permalink to a line', async () => {
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    const copied: string[] = [];
    jest.spyOn(TestBed.inject(Clipboard), 'copy').mockImplementation((text) => (copied.push(text), true));
    rowsOf(fixture)[1].dispatchEvent(new MouseEvent('click', { bubbles: true }));
    rowsOf(fixture)[2].dispatchEvent(new MouseEvent('click', { bubbles: true, shiftKey: true }));
    await settle(fixture);
    expect(selectedSeqs(fixture)).toEqual([1, 2]);
    fixture.componentInstance.copyText();
    fixture.componentInstance.copyNdjson();
    fixture.componentInstance.copyLink();
    expect(copied[0]).toBe(
      '2026-11-24T12:00:02.000Z INFO LogShader: Warning: slow shader\n2026-11-24T12:00:03.000Z INFO LogCook: Error: cook failed',
    );
    expect(copied[1].split('\n').map((line) => JSON.parse(line).seq)).toEqual([1, 2]);
    expect(copied[2]).toBe(`http://localhost/sessions/${s.id}?line=2`);
  });
});

/** Entries one minute apart from 12:00 on 2026-11-24, `minute 0` to `minute <count - 1>`. */
const minuteEntries = (count: number) =>
  Array.from({ length: count }, (_, m) => ({
    ...entry(m, `minute ${m}`),
    time: new Date(Date.UTC(2026, 10, 24, 12, m)).toISOString(),
  }));

/** The histogram, laid out 600 px wide, and a mouse's pointer events on it (jsdom has no PointerEvent): the primary pointer, its main button. */
function histogramOf(fixture: ComponentFixture<LogViewer>) {
  const chart = el(fixture).querySelector('[data-testid="histogram"]') as HTMLElement;
  chart.getBoundingClientRect = () => ({ left: 0, top: 0, width: 600, height: 44 }) as DOMRect;
  const pointer = (type: string, clientX: number) =>
    chart.dispatchEvent(
      Object.assign(new MouseEvent(type, { clientX, bubbles: true, button: 0 }), { pointerId: 1, isPrimary: true }),
    );
  return { chart, pointer };
}

describe('the volume histogram zoomed in on a time range', () => {
  afterEach(() => document.body.replaceChildren());

  // Found by the operator audit: one entry dated 9999 stretched the bars over centuries, every real
  // entry in one bar, and a range dragged over it left the histogram as it was: never useful again.
  // (Since the second audit the whole span leaves the far entry to an edge bar: see histogram-bins.spec.)
  it('shows a dragged range zoomed in, narrows on a drag inside it, and shows the whole span again on Esc', async () => {
    const z = session({ logCount: 6, logCursor: 6 });
    const minutes = minuteEntries(5);
    const far = { ...entry(5, 'far off'), time: '9999-12-30T12:00:00.000Z' };
    const fixture = await open(`/sessions/${z.id}`, [z], { [z.id]: [...minutes, far] });
    const { chart, pointer } = histogramOf(fixture);
    const bars = () => el(fixture).querySelectorAll('[data-testid="histogram"] rect.bar').length;
    const drag = async (from: number, to: number) => {
      pointer('pointerdown', from);
      pointer('pointermove', to);
      pointer('pointerup', to);
      await settle(fixture);
    };
    // The whole span: the minutes spread over 49 bars of 5 s (12 px each), the far entry in an
    // edge bar of its own, last (before, the minutes were in the first of ~60 bars).
    expect(bars()).toBe(6);
    expect(chart.getAttribute('aria-valuemax')).toBe('50');
    expect(chart.getAttribute('aria-label')).toMatch(
      /^Volume histogram\. Entries over time: 6 entries, 0 errors, 0 warnings \(1 long after the rest, in the last bar\); no time range$/,
    );

    // Half way is 12:02:0x: the first three minutes.
    await drag(1, 300);
    expect(messagesOf(fixture)).toEqual(['minute 0', 'minute 1', 'minute 2']);
    // Zoomed in: 5 s bars from 12:00:00 to 12:02:00, each minute in a bar of its own.
    expect(bars()).toBe(3);
    expect(chart.getAttribute('aria-valuemax')).toBe('25');
    expect(chart.getAttribute('aria-label')).toMatch(
      /Entries over time in the range: 3 entries, 0 errors, 0 warnings; time range \d{4}-\d\d-\d\d \S+ to \d{4}-/,
    );
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    await settle(fixture);
    // Dated, as the rows of this log over centuries are: a bar within one day says which.
    expect(chart.getAttribute('aria-valuetext')).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:00 to \d{4}-\d\d-\d\d \d\d:\d\d:04: 1 entry, 0 errors, 0 warnings$/,
    );

    // Pixels map to the zoomed bars: half way is 12:01:0x, so the first two minutes.
    await drag(1, 300);
    expect(messagesOf(fixture)).toEqual(['minute 0', 'minute 1']);
    expect(bars()).toBe(2);

    // Esc drops the selection, then the range: the whole span again.
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    await settle(fixture);
    expect(messagesOf(fixture)).toHaveLength(6);
    expect(bars()).toBe(6);

    // A drag to the edge bar takes in the far entry: the range reaches it.
    await drag(1, 599);
    expect(messagesOf(fixture)).toEqual([...minutes.map((line) => line.message), 'far off']);
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, cancelable: true }));
    await settle(fixture);
    expect(chart.getAttribute('aria-label')).toMatch(/Entries over time: 6 entries, .*; no time range$/);
  });
});

describe('a drag on the volume histogram that the browser cancels', () => {
  afterEach(() => document.body.replaceChildren());

  // A pointercancel (the browser took the pointer: a touch turned into a scroll, a system gesture)
  // ended the drag as a release did, filtering the log to a range nobody let go of.
  it('applies no range and moves nothing', async () => {
    const z = session({ logCount: 5, logCursor: 5 });
    const fixture = await open(`/sessions/${z.id}`, [z], { [z.id]: minuteEntries(5) });
    const { chart, pointer } = histogramOf(fixture);
    pointer('pointerdown', 1);
    pointer('pointermove', 300);
    pointer('pointercancel', 300);
    await settle(fixture);
    expect(messagesOf(fixture)).toHaveLength(5);
    expect(chart.getAttribute('aria-label')).toMatch(/; no time range$/);
    // The next drag works as ever.
    pointer('pointerdown', 1);
    pointer('pointermove', 300);
    pointer('pointerup', 300);
    await settle(fixture);
    expect(messagesOf(fixture).length).toBeLessThan(5);
  });
});

describe('the merged log view', () => {
  const a = session({ appname: 'CookAgent', logCount: 2, logCursor: 2 });
  const b = session({ appname: 'CookWorker', logCount: 2, logCursor: 2 });

  afterEach(() => document.body.replaceChildren());

  it('orders the sessions by time with a source tag on each line; a tag click filters to its source', async () => {
    const fixture = await open(`/sessions/${a.id},${b.id}`, [a, b], {
      [a.id]: [at(0, 1, 'a first'), at(1, 3, 'a second')],
      [b.id]: [at(0, 2, 'b first'), at(1, 4, 'b second')],
    });
    expect(messagesOf(fixture)).toEqual(['a first', 'b first', 'a second', 'b second']);
    const tags = Array.from(el(fixture).querySelectorAll('[data-testid="source-tag"]')) as HTMLButtonElement[];
    expect(tags.map((tag) => tag.textContent?.replace(/\s+/g, ' ').trim())).toEqual([
      `CookAgent …${a.id.slice(-6)}`,
      `CookWorker …${b.id.slice(-6)}`,
      `CookAgent …${a.id.slice(-6)}`,
      `CookWorker …${b.id.slice(-6)}`,
    ]);
    tags[1].click();
    await settle(fixture);
    expect(messagesOf(fixture)).toEqual(['b first', 'b second']);
    expect(el(fixture).querySelector('[data-testid="source-chip"]')?.textContent).toContain('Only CookWorker');
  });

  // Found by the dashboard audit: in a merged view of two long logs, the line was scrolled to by
  // its index when its own session's backlog came in; the other's, older by time, came in a frame
  // later and was merged in before it, so the view showed other lines, the linked one off screen.
  it('opens a permalink in a merged view on the line once every backlog is in, whichever came first', async () => {
    const older = session({ appname: 'CookWorker', logCount: 200, logCursor: 200 });
    const fixture = await open(`/sessions/${a.id},${older.id}?line=1`, [a, older], {
      [a.id]: [at(0, 50, 'a first'), at(1, 51, 'a second')],
    });
    const backlog = Array.from({ length: 200 }, (_, i) => ({
      ...entry(i, `older ${i}`),
      time: new Date(Date.UTC(2026, 10, 24, 12, 0, 0, i * 100)).toISOString(),
    }));
    FakeSocket.latest().push({ event: 'log', data: { id: older.id, entries: backlog, cursor: 200, dropped: 0 } });
    await settle(fixture);
    await settle(fixture);
    const row = el(fixture).querySelector('.highlight') as HTMLElement | null;
    expect(row?.textContent).toContain('a second');
    expect(el(fixture).querySelector('[aria-selected="true"]')?.textContent).toContain('a second');
  });

  // Found by review: the line waited for as many rows as the listing's logCount, so when fewer
  // came (entries evicted between the listing and the read arrive as one gap row) it was never shown.
  it('opens a permalink in a merged view on the line when entries were evicted after the listing', async () => {
    const older = session({ appname: 'CookWorker', logCount: 200, logCursor: 200 });
    const fixture = await open(`/sessions/${a.id},${older.id}?line=1`, [a, older], {
      [a.id]: [at(0, 50, 'a first'), at(1, 51, 'a second')],
    });
    const kept = Array.from({ length: 50 }, (_, i) => ({
      ...entry(150 + i, `older ${150 + i}`),
      time: new Date(Date.UTC(2026, 10, 24, 12, 0, 0, i * 100)).toISOString(),
    }));
    FakeSocket.latest().push({ event: 'log', data: { id: older.id, entries: kept, cursor: 200, dropped: 150 } });
    await settle(fixture);
    await settle(fixture);
    expect(el(fixture).querySelector('.highlight')?.textContent).toContain('a second');
    expect(el(fixture).querySelector('[aria-selected="true"]')?.textContent).toContain('a second');
  });

  it("shows a merged view's permalinked line after a while when another backlog never comes in", async () => {
    const older = session({ appname: 'CookWorker', logCount: 200, logCursor: 200 });
    const fixture = await open(`/sessions/${a.id},${older.id}?line=1`, [a, older], {
      [a.id]: [at(0, 50, 'a first'), at(1, 51, 'a second')],
    });
    expect(el(fixture).querySelector('.highlight')).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, BACKLOG_WAIT_MS + 50));
    await settle(fixture);
    await settle(fixture);
    expect(el(fixture).querySelector('.highlight')?.textContent).toContain('a second');
  });

  it("opens a permalink in a merged view paused on the line, with no other session's backlog called new", async () => {
    const fixture = await open(`/sessions/${a.id},${b.id}?line=1`, [a, b], {
      [a.id]: [at(0, 1, 'a first'), at(1, 3, 'a second')],
      [b.id]: [at(0, 2, 'b first'), at(1, 4, 'b second')],
    });
    const row = el(fixture).querySelector('.highlight') as HTMLElement;
    expect(row.textContent).toContain('a second');
    expect(button(fixture, 'Follow')).toBeTruthy();
    expect(el(fixture).querySelector('[data-testid="new-entries"]')).toBeNull();
  });
});

describe("a person's scroll while the log follows lines as they arrive", () => {
  const s = session({ logCount: 100, logCursor: 100 });

  beforeAll(sizeEveryElement);

  afterEach(() => document.body.replaceChildren());

  // Following a busy log, nearly every frame is one of the log's own scrolls to the newest edge,
  // whose scroll events are not the person's: a wheel in such a frame was taken for the log's
  // own, and the log stayed "Following" (a product test's wheel was, on a busy CI machine).
  it("pauses on a scroll away from the newest edge after a wheel, touch, scrolling key or press on the scrollbar in the frame of the log's own scroll; with none, or two frames after one, it stays the log's", async () => {
    const lines = Array.from({ length: 100 }, (_, seq) => at(seq, seq % 60, `line ${seq}`));
    const fixture = await open(`/sessions/${s.id}`, [s], { [s.id]: lines });
    const viewer = fixture.componentInstance;
    // jsdom lays nothing out: the scroll offset is kept here, the height is the rows'.
    const grid = el(fixture).querySelector('[data-testid="log-rows"]') as HTMLElement;
    let top = 0;
    Object.defineProperty(grid, 'scrollTop', { get: () => top, set: (value: number) => (top = value) });
    Object.defineProperty(grid, 'scrollHeight', { get: () => viewer.contentHeight() });
    const newest = () => viewer.contentHeight() - grid.clientHeight;
    const scrollTo = (offset: number) => {
      top = offset;
      grid.dispatchEvent(new Event('scroll'));
    };
    let seq = lines.length;
    // Lines arrive: the log renders them in the next frame and scrolls itself to the newest edge
    // (its own scroll). What follows each call is in that frame.
    const arrive = async () => {
      const entries = Array.from({ length: 10 }, () => at(seq, seq % 60, `line ${seq++}`));
      FakeSocket.latest().push({ event: 'log', data: { id: s.id, entries, cursor: seq, dropped: 0 } });
      const height = viewer.contentHeight();
      await frame();
      fixture.detectChanges();
      expect(viewer.contentHeight()).toBe(height + 10 * LINE_HEIGHT);
      expect(top).toBe(newest());
    };
    await arrive();
    scrollTo(newest() - 300);
    expect(viewer.following()).toBe(true);

    // The person's wheel, touch, scrolling key or press on the scrollbar (the grid itself) in
    // that frame makes the scroll away theirs.
    const intents: [string, () => Event][] = [
      ['wheel', () => new WheelEvent('wheel', { deltaY: -300, bubbles: true })],
      ['touchstart', () => new Event('touchstart', { bubbles: true })],
      ['PageUp', () => new KeyboardEvent('keydown', { key: 'PageUp', bubbles: true })],
      ['pointerdown on the scrollbar', () => new Event('pointerdown', { bubbles: true })],
    ];
    for (const [intent, event] of intents) {
      await arrive();
      grid.dispatchEvent(event());
      scrollTo(newest() - 300);
      expect({ intent, following: viewer.following() }).toEqual({ intent, following: false });
      fixture.detectChanges();
      expect(button(fixture, 'Follow')).toBeTruthy();
      window.dispatchEvent(new Event('pointerup'));
      // Two frames on, the intent is over: the log's own scroll's events are its own again.
      await frame();
      await frame();
      viewer.resume();
    }
    await arrive();
    scrollTo(newest() - 300);
    expect(viewer.following()).toBe(true);
  });
});

describe("the log viewer's link notices, as a screen reader hears them", () => {
  const said = (node: Element) => (node.textContent ?? '').trim();
  /** The viewer's status regions on the page now, each with what it says. */
  const regions = (fixture: ComponentFixture<LogViewer>) =>
    new Map(Array.from(el(fixture).querySelectorAll('[role="status"]')).map((region) => [region, said(region)]));
  /** The one of `those` regions that says `text` now. */
  const saying = (those: Map<Element, string>, text: string) =>
    [...those.keys()].find((region) => said(region).includes(text)) ?? null;

  beforeAll(sizeEveryElement);

  afterEach(() => document.body.replaceChildren());

  // Found at stop 60: each notice was a role="status" paragraph inserted with its text, and a
  // screen reader reads out what changes in a live region already on the page, not one that
  // comes with its content; one said as the view opens came in its first render.
  it.each([
    [
      'a line that is no number',
      'line=abc',
      session({ logCount: 5, logCursor: 5 }),
      '"abc" in the link is not a line number',
    ],
    ['a line evicted', 'line=7', session({ logCount: 5, logCursor: 105 }), 'Line 7 was evicted'],
    [
      'a time range that is none',
      'from=yesterday&to=2026-11-24T12:00:19Z',
      session({ logCount: 5, logCursor: 5 }),
      'the log is shown whole',
    ],
  ])(
    'says the notice of %s, as the view opens, into a status region on the page a frame before it',
    async (_what, query, shown, notice) => {
      TestBed.configureTestingModule({
        imports: [LogViewer],
        providers: [provideRouter([{ path: '**', component: Blank }]), provideFakeSockets()],
      });
      await TestBed.inject(Router).navigateByUrl(`/sessions/${shown.id}?${query}`);
      openLiveSocket();
      const fixture = TestBed.createComponent(LogViewer);
      document.body.appendChild(fixture.nativeElement);
      fixture.componentRef.setInput('sessions', [shown]);
      fixture.detectChanges();
      const first = regions(fixture);
      // A frame is drawn with the region on the page, saying nothing yet.
      await frame();
      fixture.detectChanges();
      const drawn = regions(fixture);
      await settle(fixture);
      const region = saying(first, notice);
      expect(region?.isConnected).toBe(true);
      expect(region?.getAttribute('role')).toBe('status');
      expect(region && first.get(region)).toBe('');
      expect(region && drawn.get(region)).toBe('');
    },
  );

  it('says a notice that comes later, as the rows pass the linked line, into the status region already there', async () => {
    const listed = session({ logCount: 10, logCursor: 10 });
    const fixture = await open(`/sessions/${listed.id}?line=8`, [listed], {});
    const before = regions(fixture);
    const kept = [5, 6, 7, 9].map((seq) => at(seq, seq, `line ${seq}`));
    FakeSocket.latest().push({ event: 'log', data: { id: listed.id, entries: kept, cursor: 10, dropped: 4 } });
    await settle(fixture);
    await settle(fixture);
    const region = saying(before, 'Line 8 is not shown');
    expect(region?.isConnected).toBe(true);
    expect(region && before.get(region)).toBe('');
    // Dismissed, the region stays, empty, for the next notice.
    region?.querySelector('button')?.click();
    await settle(fixture);
    expect(region?.isConnected).toBe(true);
    expect(region && said(region)).toBe('');
  });
});
