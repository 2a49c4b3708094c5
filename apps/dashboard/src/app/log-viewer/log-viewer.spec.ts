import { signal } from '@angular/core';
import { ComponentFixture, TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { CopyText } from '../core/copy-text';
import { countingReads } from '../testing/counting-reads';
import { FakeSocket, openLiveSocket, provideFakeSockets } from '../testing/fake-socket';
import { entry, session } from '../testing/sessions';
import { logLine, LogRow } from './log-line';
import { LogSources, MAX_ROWS } from './log-sources';
import { LogViewer } from './log-viewer';
import { noteDelta } from './row-deltas';

/** A LogViewer for `s` on a live (fake) socket. */
async function createViewer(s: ReturnType<typeof session>): Promise<ComponentFixture<LogViewer>> {
  await TestBed.configureTestingModule({
    imports: [LogViewer],
    providers: [provideRouter([]), provideFakeSockets()],
  }).compileComponents();
  openLiveSocket();
  const fixture = TestBed.createComponent(LogViewer);
  fixture.componentRef.setInput('sessions', [s]);
  fixture.detectChanges();
  return fixture;
}

describe('LogViewer', () => {
  let fixture: ComponentFixture<LogViewer>;
  let viewer: LogViewer;
  const s = session({ logCount: 0, logCursor: 0 });

  beforeAll(() => {
    // jsdom lays nothing out: give the log's scrolled rows a size so the window renders rows.
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 800 });
  });

  beforeEach(async () => {
    fixture = await createViewer(s);
    viewer = fixture.componentInstance;
    FakeSocket.latest().push({
      event: 'log',
      data: {
        id: s.id,
        entries: [
          entry(0, 'boot'),
          entry(1, 'Shader compile slow', 'warn'),
          entry(2, '<script>window.pwned = true</script>', 'error'),
          entry(3, 'shader done'),
        ],
        cursor: 4,
        dropped: 0,
      },
    });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
  });

  const messages = () =>
    viewer
      .visible()
      .slice()
      .map((row) => (row.kind === 'entry' ? row.entry.message : 'gap'));

  it('subscribes to the session from its oldest held entry', () => {
    expect(FakeSocket.latest().sent).toContainEqual({ event: 'subscribe-log', data: { id: s.id, cursor: 0 } });
  });

  it('filters by text and level, and orders newest first on request', () => {
    viewer.setText('SHADER');
    expect(messages()).toEqual(['Shader compile slow', 'shader done']);
    viewer.setLevel('warn');
    expect(messages()).toEqual(['Shader compile slow']);
    viewer.setLevel('debug');
    viewer.setNewestFirst(true);
    expect(messages()).toEqual(['shader done', 'Shader compile slow']);
  });

  it('moves, jumps and copies newest first in the order shown', () => {
    const copied: string[] = [];
    jest.spyOn(TestBed.inject(CopyText), 'copy').mockImplementation((text) => (copied.push(text), true));
    const focused = () => viewer.focusedLine()?.entry.seq;
    viewer.setNewestFirst(true);
    viewer.selectIndex(0);
    expect(focused()).toBe(3);
    viewer.moveSelection(1);
    expect(focused()).toBe(2);
    viewer.moveSelection(-5);
    expect(focused()).toBe(3);
    viewer.jumpToError(true);
    expect(focused()).toBe(2);
    viewer.jumpToError(false);
    expect(focused()).toBe(2);
    // Every entry is at the same time: the first at or after it is the oldest, at the bottom.
    viewer.jumpToTime(Date.parse('2026-11-24T12:00:00.000Z'));
    expect(focused()).toBe(0);
    expect(viewer.selectedCount()).toBe(1);
    viewer.selection.set({ anchor: `${s.id}:3`, focus: `${s.id}:1` });
    expect(viewer.selectedCount()).toBe(3);
    viewer.copyNdjson();
    viewer.selection.set(null);
    viewer.copyText();
    expect(copied[0].split('\n').map((line) => JSON.parse(line).seq)).toEqual([3, 2, 1]);
    expect(copied[1].split('\n')).toHaveLength(4);
    expect(copied[1]).toMatch(/^\S+ INFO shader done\n/);
  });

  it('renders messages as text, never as HTML', () => {
    const rows = fixture.nativeElement.querySelector('[data-testid="log-rows"]') as HTMLElement;
    expect(rows.textContent).toContain('<script>window.pwned = true</script>');
    expect(rows.querySelector('script')).toBeNull();
    expect((window as unknown as { pwned?: boolean }).pwned).toBeUndefined();
  });

  // Found by the dashboard's flood audit: paused to read a line, the view went on keeping only its
  // newest 10,000 rows, so at ~4,500 entries/s the line read was evicted within seconds.
  it('keeps the line being read while paused under a flood, counts what arrives, and shows the newest on resume', async () => {
    const frame = async () => {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      fixture.detectChanges();
    };
    viewer.toggleFollow();
    fixture.detectChanges();
    expect(viewer.following()).toBe(false);
    let seq = 4;
    for (let second = 0; second < 3; second++) {
      const entries = Array.from({ length: 4500 }, () => entry(seq, `flood ${seq++}`));
      FakeSocket.latest().push({ event: 'log', data: { id: s.id, entries, cursor: seq, dropped: 0 } });
      await frame();
    }
    expect(viewer.newEntries()).toBe(13_500);
    expect(messages()[0]).toBe('boot');
    expect(viewer.visible().length).toBe(MAX_ROWS);
    viewer.resume();
    fixture.detectChanges();
    await frame();
    expect(viewer.following()).toBe(true);
    expect(viewer.visible().length).toBe(MAX_ROWS);
    expect(messages()[0]).toBe(`flood ${seq - MAX_ROWS}`);
    expect(messages()[MAX_ROWS - 1]).toBe(`flood ${seq - 1}`);
  });

  it('highlights matches of the text filter', () => {
    viewer.setText('shader');
    fixture.detectChanges();
    const marks = [...fixture.nativeElement.querySelectorAll('mark')].map((mark: HTMLElement) => mark.textContent);
    expect(marks).toEqual(['Shader', 'shader']);
  });
});

describe('LogViewer across sessions pushes', () => {
  it('keeps its streams (and its rows) when a push brings a new object for the same session', async () => {
    const s = session();
    const fixture = await createViewer(s);
    const stream = fixture.componentInstance.sources();
    fixture.componentRef.setInput('sessions', [
      { ...s, logCount: 5, logCursor: 5, updated: '2026-11-24T12:00:05.000Z' },
    ]);
    fixture.detectChanges();
    expect(fixture.componentInstance.sources()).toBe(stream);
    const subscribes = FakeSocket.latest().sent.filter((message) => message.event === 'subscribe-log');
    expect(subscribes).toHaveLength(1);
  });
  it('follows a session created again under its id (a restarted server) from its first entry, not the old cursor', async () => {
    const s = session({ logCount: 0, logCursor: 0 });
    const fixture = await createViewer(s);
    const socket = FakeSocket.latest();
    socket.push({
      event: 'log',
      data: { id: s.id, entries: [entry(0, 'old 0'), entry(1, 'old 1')], cursor: 2, dropped: 0 },
    });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    fixture.detectChanges();
    const shown = () =>
      fixture.componentInstance
        .visible()
        .slice()
        .map((row) => (row.kind === 'entry' ? row.entry.message : 'gap'));
    expect(shown()).toEqual(['old 0', 'old 1']);

    // The server restarted without a store; the producer created the session again and wrote 3 lines.
    fixture.componentRef.setInput('sessions', [
      { ...s, created: '2026-11-24T12:05:00.000Z', logCount: 3, logCursor: 3 },
    ]);
    fixture.detectChanges();
    const subscribes = socket.sent.filter((message) => message.event === 'subscribe-log');
    expect(subscribes.at(-1)).toEqual({ event: 'subscribe-log', data: { id: s.id, cursor: 0 } });
    expect(subscribes).toHaveLength(2);
    socket.push({
      event: 'log',
      data: { id: s.id, entries: [entry(0, 'new 0'), entry(1, 'new 1'), entry(2, 'new 2')], cursor: 3, dropped: 0 },
    });
    await new Promise((resolve) => requestAnimationFrame(resolve));
    fixture.detectChanges();
    expect(shown()).toEqual(['new 0', 'new 1', 'new 2']);
  });
});

describe('LogViewer following a large log newest first', () => {
  let fixture: ComponentFixture<LogViewer>;
  let viewer: LogViewer;
  let seq = 0;
  const s = session({ logCount: 0, logCursor: 0 });
  const rowsOf = (count: number) => Array.from({ length: count }, () => logLine(s.id, entry(seq++, `line ${seq}`)));
  /** The rows a `LogSources` would bring, frame by frame. */
  const rows = signal<readonly LogRow[]>([]);

  beforeEach(async () => {
    fixture = await createViewer(s);
    viewer = fixture.componentInstance;
    rows.set(rowsOf(20_000));
    viewer.sources.set({
      rows,
      received: signal(0),
      categories: signal([]),
      hold: () => undefined,
      stop: () => undefined,
    } as unknown as LogSources);
    viewer.setNewestFirst(true);
    fixture.detectChanges();
  });

  /** A frame: 3 rows evicted, 5 new; the rows' reads counted by a proxy over them. */
  function nextFrame(): { rows: readonly LogRow[]; reads: () => number } {
    const from = rows();
    const next = from.slice(3).concat(rowsOf(5));
    noteDelta(next, { from, evicted: 3, kept: from.length - 3 });
    const counted = countingReads(next);
    rows.set(counted.items);
    fixture.detectChanges();
    return { rows: next, reads: counted.reads };
  }

  it('reads the new rows and the rendered ones each frame, not every row', () => {
    for (let frame = 0; frame < 5; frame++) {
      const next = nextFrame();
      // The new rows (measured, counted in the histogram) and the window rendered: a few dozen, not 20,000.
      expect(next.reads()).toBeLessThan(200);
      expect(viewer.window().rows[0]).toBe(next.rows[next.rows.length - 1]);
    }
    expect(viewer.visible().length).toBe(20_000 + 5 * 2);
  });

  it('keeps a selection as rows come without a search of every row', () => {
    viewer.selectIndex(14_998);
    viewer.moveSelection(2);
    fixture.detectChanges();
    const focused = viewer.focusedLine();
    for (let frame = 1; frame <= 5; frame++) {
      const next = nextFrame();
      expect(next.reads()).toBeLessThan(200);
      // Newest first, each frame's 5 new rows come in above the selected one (far from either end).
      expect(viewer.focusedLine()).toBe(focused);
      expect(viewer.selectedCount()).toBe(1);
      expect(viewer.isSelected(15_000 + 5 * frame)).toBe(true);
    }
  });
});
