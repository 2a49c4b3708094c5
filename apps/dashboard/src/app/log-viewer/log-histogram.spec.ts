import { TestBed } from '@angular/core/testing';
import { entry } from '../testing/sessions';
import { LogHistogram } from './log-histogram';
import { LogLine, logLine } from './log-line';

const T0 = Date.UTC(2026, 11, 2, 9);
const at = (seq: number, ms: number, level: 'info' | 'warn' | 'error' = 'info') =>
  logLine('s', { ...entry(seq, `line ${seq}`, level), time: new Date(T0 + ms).toISOString() });

/** The bars' rects drawn for `rows`, as the chart's 100-wide viewBox places them. */
function barsFor(rows: LogLine[]): { x: number; width: number; level: string }[] {
  const fixture = TestBed.createComponent(LogHistogram);
  fixture.componentRef.setInput('rows', rows);
  fixture.detectChanges();
  const rects = Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('rect.bar'));
  return rects.map((rect) => ({
    x: Number(rect.getAttribute('x')),
    width: Number(rect.getAttribute('width')),
    level: rect.getAttribute('class')?.replace('bar ', '') ?? '',
  }));
}

describe('LogHistogram', () => {
  // Found by the operator audit: every entry at one instant drew one block over the left 86% of the chart.
  it('draws entries all at one time as one bar in the middle of the chart', () => {
    const bars = barsFor([at(0, 0), at(1, 0, 'warn'), at(2, 0, 'error'), at(3, 0)]);
    expect(bars.map((bar) => bar.level).sort()).toEqual(['error', 'info', 'warn']);
    for (const bar of bars) expect([bar.x, bar.width]).toEqual([46, 8]);
  });

  it('names the one bar of entries all at one time by that time, not as a range', () => {
    const fixture = TestBed.createComponent(LogHistogram);
    fixture.componentRef.setInput('rows', [at(0, 0), at(1, 0, 'error')]);
    fixture.detectChanges();
    const chart = (fixture.nativeElement as HTMLElement).querySelector('[data-testid="histogram"]') as HTMLElement;
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home' }));
    fixture.detectChanges();
    expect(chart.getAttribute('aria-valuetext')).toMatch(/^at \d\d:\d\d:00\.000: 2 entries, 1 error, 0 warnings$/);
  });

  it('draws a single entry as one bar in the middle of the chart', () => {
    expect(barsFor([at(0, 5_000)])).toEqual([{ x: 46, width: 8, level: 'info' }]);
  });

  it('leaves a gap between the bars of a span', () => {
    const bars = barsFor([at(0, 0), at(1, 59_000)]);
    expect(bars).toHaveLength(2);
    expect(bars[0].x).toBe(0);
    expect(bars[0].width).toBeLessThan(100 / 60);
    expect(bars[1].x + bars[1].width).toBeLessThan(100);
  });

  // Found by the operator audit: with a range set the chart shows only it (given only its rows),
  // so a band over every bar said nothing, and range ends named by the zoomed bars' day lost their dates.
  it("shows a range set zoomed in: counts named as the range's, no band over every bar, its ends dated", () => {
    const fixture = TestBed.createComponent(LogHistogram);
    fixture.componentRef.setInput('rows', [at(0, 0), at(1, 60_000, 'error'), at(2, 120_000)]);
    fixture.componentRef.setInput('range', { from: Date.UTC(1970, 0, 1, 12), to: Date.UTC(2236, 0, 1) });
    fixture.detectChanges();
    const chart = (fixture.nativeElement as HTMLElement).querySelector('[data-testid="histogram"]') as HTMLElement;
    expect((fixture.nativeElement as HTMLElement).querySelector('.band')).toBeNull();
    expect(chart.getAttribute('aria-label')).toMatch(
      /^Volume histogram\. Entries over time in the range: 3 entries, 1 error, 0 warnings; time range 1970-01-01 \S+ to 2236-01-01 \S+$/,
    );
    // Its bars are the zoomed-in ones: 5 s wide over the two minutes.
    expect(chart.getAttribute('aria-valuemax')).toBe('25');
  });

  // Found by the operator audit: one entry at a client time in 2001 among 200 of today squashed
  // every bar into one at the right edge.
  it('spreads the bulk of the entries over the chart and shows a far-off one in an edge bar, noted', () => {
    const rows = Array.from({ length: 200 }, (_, i) => at(i, i * 10));
    rows.push(logLine('s', { ...entry(200, 'skewed clock'), time: '2001-01-01T00:00:00Z' }));
    const fixture = TestBed.createComponent(LogHistogram);
    fixture.componentRef.setInput('rows', rows);
    fixture.detectChanges();
    const host = fixture.nativeElement as HTMLElement;
    const bars = Array.from(host.querySelectorAll('rect.bar')).map((rect) => ({
      x: Number(rect.getAttribute('x')),
      outside: rect.classList.contains('outside'),
    }));
    // The edge bar first, then the 2 s of today's entries in 40 bars across the rest.
    expect(bars[0]).toEqual({ x: 0, outside: true });
    const bulk = bars.filter((bar) => !bar.outside);
    expect(bulk).toHaveLength(40);
    expect(bulk[0].x).toBeLessThan(10);
    expect(bulk[bulk.length - 1].x).toBeGreaterThan(90);
    // Said on the chart and in its name.
    const note = host.querySelector('[data-testid="histogram-outside-before"]') as HTMLElement;
    expect(note.textContent?.trim()).toBe('1 entry long before');
    expect(host.querySelector('[data-testid="histogram-outside-after"]')).toBeNull();
    const chart = host.querySelector('[data-testid="histogram"]') as HTMLElement;
    expect(chart.getAttribute('aria-label')).toMatch(
      /^Volume histogram\. Entries over time: 201 entries, 0 errors, 0 warnings \(1 long before the rest, in the first bar\); no time range$/,
    );
    // The edge bar is a bar like the others for the keys: Home reads it out, Enter jumps to its entry.
    const jumps: number[] = [];
    fixture.componentInstance.jump.subscribe((time) => jumps.push(time));
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home' }));
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter' }));
    fixture.detectChanges();
    expect(chart.getAttribute('aria-valuetext')).toMatch(
      /^at (2001-01-01|2000-12-31) \S+: 1 entry, 0 errors, 0 warnings, long before the rest$/,
    );
    expect(jumps).toEqual([Date.UTC(2001, 0, 1)]);
  });

  // Found by the time audit: a log from 1970 to 9999 named its bars and ranges by times of day alone.
  it('names bars and ranges with their dates when the log spans days', () => {
    const fixture = TestBed.createComponent(LogHistogram);
    const line = (seq: number, time: string) => logLine('s', { ...entry(seq, `line ${seq}`), time });
    fixture.componentRef.setInput('rows', [line(0, '1970-01-01T12:00:00.000Z'), line(1, '9999-12-30T12:00:00.000Z')]);
    fixture.componentRef.setInput('range', { from: Date.UTC(1970, 0, 1, 12), to: Date.UTC(9999, 11, 30, 12) });
    fixture.detectChanges();
    const chart = (fixture.nativeElement as HTMLElement).querySelector('[data-testid="histogram"]') as HTMLElement;
    expect(chart.getAttribute('aria-label')).toMatch(/time range 1970-01-0\d \d\d:\d\d:\d\d to 9999-12-\d\d /);
    chart.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home' }));
    fixture.detectChanges();
    expect(chart.getAttribute('aria-valuetext')).toMatch(/^1970-01-0\d \d\d:\d\d:\d\d to 2\d\d\d-\d\d-\d\d /);
  });
});
