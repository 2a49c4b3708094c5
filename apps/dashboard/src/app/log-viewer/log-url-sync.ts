import { DestroyRef, effect, inject, Signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { LogFilterState } from './log-rows';
import { LogUrl, LogUrlState } from './log-url';

/** How long the URL waits for the filters to settle. */
const URL_DELAY_MS = 300;

/** The view state the URL follows. */
export interface UrlShownState {
  filter: Signal<LogFilterState>;
  newestFirst: Signal<boolean>;
}

/**
 * Keeps the URL in step with the filters and the order, both ways: the URL follows them a
 * moment after the last keystroke (a navigation per key would cost a frame), and back/forward
 * hands `fromHistory` the state that history entry's URL names. Call in an injection context.
 */
export function syncFiltersWithUrl(url: LogUrl, shown: UrlShownState, fromHistory: (state: LogUrlState) => void): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  effect(() => {
    const filter = shown.filter();
    const newestFirst = shown.newestFirst();
    clearTimeout(timer);
    timer = setTimeout(() => url.write({ ...filter, category: filter.category ?? null, newestFirst }), URL_DELAY_MS);
  });
  inject(DestroyRef).onDestroy(() => clearTimeout(timer));
  // The write due is dropped: the one that follows the history entry's state then puts back the
  // same URL, not the filters of the entry left.
  url.fromHistory.pipe(takeUntilDestroyed()).subscribe((state) => {
    clearTimeout(timer);
    fromHistory(state);
  });
}
