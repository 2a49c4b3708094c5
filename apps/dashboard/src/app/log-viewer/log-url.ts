import { Location } from '@angular/common';
import { inject, Injectable } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import {
  ActivatedRoute,
  NavigationCancel,
  NavigationEnd,
  NavigationError,
  NavigationStart,
  Router,
} from '@angular/router';
import { LOG_LEVELS, LogLevel } from '@zen/contract';
import { Subject } from 'rxjs';

/** The part of the log view that a shared link reproduces. */
export interface LogUrlState {
  text: string;
  regex: boolean;
  level: LogLevel;
  newestFirst: boolean;
  category: string | null;
  /** `?line=<seq>`: the permalinked line. */
  line: number | null;
  /** `?line=` when it names no line (`abc`, `-1`): said, rather than ignored in silence. */
  badLine: string | null;
}

/**
 * Reads and writes the log view's state in the query string: `q` (filter text),
 * `re=1` (regex), `level`, `order=newest`, `category`, and `line` (a permalink).
 */
@Injectable({ providedIn: 'root' })
export class LogUrl {
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);
  private readonly location = inject(Location);
  /** The id of the back/forward navigation under way, if one is. */
  private popping: number | null = null;
  private readonly popped = new Subject<LogUrlState>();
  /**
   * The view state of each history entry the browser's back/forward opens, once the router has
   * taken it: the view shows what that URL names, as a pasted link would.
   */
  readonly fromHistory = this.popped.asObservable();

  constructor() {
    this.router.events.pipe(takeUntilDestroyed()).subscribe((event) => {
      if (event instanceof NavigationStart) {
        this.popping = event.navigationTrigger === 'popstate' ? event.id : null;
      } else if (
        (event instanceof NavigationEnd || event instanceof NavigationCancel || event instanceof NavigationError) &&
        event.id === this.popping
      ) {
        this.popping = null;
        if (event instanceof NavigationEnd) this.popped.next(this.read());
      }
    });
  }

  read(): LogUrlState {
    const params = this.router.routerState.snapshot.root.queryParamMap;
    const level = params.get('level') as LogLevel;
    const lineText = params.get('line');
    const line = Number(lineText);
    const isLine = lineText !== null && /^\d+$/.test(lineText) && Number.isSafeInteger(line);
    return {
      text: params.get('q') ?? '',
      regex: params.get('re') === '1',
      level: LOG_LEVELS.includes(level) ? level : 'debug',
      newestFirst: params.get('order') === 'newest',
      category: params.get('category') || null,
      line: isLine ? line : null,
      badLine: lineText !== null && !isLine ? lineText : null,
    };
  }

  write(state: Omit<LogUrlState, 'line' | 'badLine'>): void {
    // A write now would cancel the back/forward navigation and overwrite the entry it opens; and
    // before the router has taken the entry, it would put the URL of the entry left there.
    if (this.popping !== null || this.browserAhead()) return;
    void this.router.navigate([], {
      relativeTo: this.route,
      queryParams: {
        q: state.text || null,
        re: state.regex ? '1' : null,
        level: state.level === 'debug' ? null : state.level,
        order: state.newestFirst ? 'newest' : null,
        category: state.category,
      },
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  /**
   * Whether the browser shows another URL than the router's: back/forward has opened an entry
   * that the router takes only a task after the popstate (a busy page may run a due timer first).
   */
  private browserAhead(): boolean {
    return this.router.serializeUrl(this.router.parseUrl(this.location.path(true))) !== this.router.url;
  }

  /** The absolute link that opens `source` scrolled to line `seq`. */
  permalink(source: string, seq: number): string {
    return new URL(`sessions/${source}?line=${seq}`, document.baseURI).toString();
  }
}
