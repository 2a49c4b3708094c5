import { Component } from '@angular/core';
import { Location } from '@angular/common';
import { provideLocationMocks, SpyLocation } from '@angular/common/testing';
import { TestBed } from '@angular/core/testing';
import { NavigationEnd, provideRouter, Router } from '@angular/router';
import { filter, firstValueFrom } from 'rxjs';
import { LogUrl } from './log-url';

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
