import { Component } from '@angular/core';
import { Location } from '@angular/common';
import { provideLocationMocks, SpyLocation } from '@angular/common/testing';
import { TestBed } from '@angular/core/testing';
import { NavigationEnd, provideRouter, Router } from '@angular/router';
import { filter, firstValueFrom } from 'rxjs';
import { lineOf, LogUrl, parseUrlTime, rangeOf, urlTime } from './log-url';

@Component({ template: '' })
class Blank {}

/** The router takes a back/forward a task after the browser's popstate; then its navigation runs. */
const settled = async () => {
  for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve));
};

describe('LogUrl and the browser history', () => {
  const filtered = '/sessions/a?q=line%201';
  const newest = '/sessions/b?order=newest';
  const merged = '/sessions/b,c?order=newest';
  /** What the merged view's pending write puts: its filters, newest first. */
  const mergedView = { text: '', regex: false, level: 'debug', newestFirst: true, category: null } as const;

  async function historyOf(urls: string[]) {
    TestBed.configureTestingModule({
      providers: [provideRouter([{ path: '**', component: Blank }]), provideLocationMocks()],
    });
    const router = TestBed.inject(Router);
    // What the app's bootstrap does: the router hears the browser's back and forward.
    router.setUpLocationChangeListener();
    for (const url of urls) await router.navigateByUrl(url);
    return { router, location: TestBed.inject(Location) as SpyLocation, logUrl: TestBed.inject(LogUrl) };
  }

  it('a write due just after a back (a busy page runs a late timer first) leaves the entry the browser opened as it was', async () => {
    const { router, location, logUrl } = await historyOf([filtered, newest, merged]);
    location.urlChanges = [];

    location.back();
    logUrl.write(mergedView);
    await settled();
    expect(router.url).toBe(newest);
    expect(location.path()).toBe(newest);
    expect(location.urlChanges.filter((change) => change.includes(merged))).toEqual([]);
  });

  it('back, that late write, back again, then forward: each entry still names what it named (an operator pressing Back twice)', async () => {
    const { router, location, logUrl } = await historyOf([filtered, newest, merged]);

    location.back();
    logUrl.write(mergedView);
    // The next navigation to end: a write's would, before the router has taken the back.
    await firstValueFrom(router.events.pipe(filter((event) => event instanceof NavigationEnd)));
    location.back();
    await settled();
    expect(router.url).toBe(filtered);

    location.forward();
    await settled();
    expect(router.url).toBe(newest);
    expect(location.path()).toBe(newest);
  });
});

describe('the time range of a link (?from=&to=)', () => {
  const from = '2026-11-24T12:00:10.000Z';
  const to = '2026-11-24T12:00:19.999Z';

  it('reads the UTC times the view writes, and shorter ones typed by hand', () => {
    expect(rangeOf(from, to)).toEqual({ range: { from: Date.parse(from), to: Date.parse(to) }, badRange: null });
    expect(parseUrlTime('2026-11-24T12:00Z')).toBe(Date.parse('2026-11-24T12:00:00.000Z'));
    expect(parseUrlTime('2026-11-24T12:00:10.5Z')).toBe(Date.parse('2026-11-24T12:00:10.500Z'));
    // One instant is a range too: the entries of that millisecond.
    expect(rangeOf(from, from).range).toEqual({ from: Date.parse(from), to: Date.parse(from) });
  });

  it('round-trips every time an entry may carry, years 0 to 9999 and past them', () => {
    for (const ms of [0, -62135596800000, 253402300799999, 253402300800000, Date.parse(to)])
      expect(parseUrlTime(urlTime(ms))).toBe(ms);
  });

  it('takes no time that is not one, no local or loose form, and no range reversed or half given', () => {
    for (const text of ['yesterday', '1795564810000', '2026-11-24', '2026-11-24T12:00:10', '2026-11-24 12:00:10Z'])
      expect(parseUrlTime(text)).toBeNull();
    for (const text of ['2026-11-31T12:00:00Z', '2026-11-24T24:00:00Z', '2026-11-24T12:60:00Z', '2026-02-29T00:00Z'])
      expect(parseUrlTime(text)).toBeNull();
    expect(rangeOf(null, null)).toEqual({ range: null, badRange: null });
    expect(rangeOf(to, from)).toEqual({
      range: null,
      badRange: `The link's time range ends (to="${from}") before it starts (from="${to}"): the log is shown whole.`,
    });
    expect(rangeOf(from, null).badRange).toContain('has no "to"');
    expect(rangeOf(null, to).badRange).toContain('has no "from"');
    expect(rangeOf('x'.repeat(100), to).badRange).toContain(`from="${'x'.repeat(40)}…" in the link is not a UTC time`);
  });
});

describe('the line of a link (?line=)', () => {
  it('reads a line number, and says why any other text is none, quoted as a bad time range is', () => {
    expect(lineOf(null)).toEqual({ line: null, badLine: null });
    expect(lineOf('0')).toEqual({ line: 0, badLine: null });
    expect(lineOf('104')).toEqual({ line: 104, badLine: null });
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999', ''])
      expect(lineOf(bad)).toEqual({
        line: null,
        badLine: `"${bad}" in the link is not a line number (lines count from 0).`,
      });
    expect(lineOf('7'.repeat(100)).badLine).toBe(
      `"${'7'.repeat(40)}…" in the link is not a line number (lines count from 0).`,
    );
  });
});
