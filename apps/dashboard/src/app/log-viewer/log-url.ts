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

/** A time range of the log, in ms since the epoch, both ends included. */
export interface TimeRange {
  from: number;
  to: number;
}

/** The most of a link's bad `line`, `from` or `to` a notice quotes: a link cut or mangled may hold anything. */
const QUOTED_CHARS = 40;

/** The part of the log view that a shared link reproduces. */
export interface LogUrlState {
  text: string;
  regex: boolean;
  level: LogLevel;
  newestFirst: boolean;
  category: string | null;
  /** `?line=<seq>`: the permalinked line. */
  line: number | null;
  /** Why `?line=` names no line (`abc`, `-1`): said, rather than ignored in silence. */
  badLine: string | null;
  /** `?from=…&to=…`: the time range dragged on the histogram. */
  range: TimeRange | null;
  /** Why the link's `from` / `to` name no time range (one missing, no time, reversed): said, then ignored. */
  badRange: string | null;
}

/**
 * Reads and writes the log view's state in the query string: `q` (filter text),
 * `re=1` (regex), `level`, `order=newest`, `category`, `from` and `to` (the histogram's time
 * range, as UTC ISO times: a shared link says what it shows, where epoch ms would not), and
 * `line` (a permalink).
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
    return {
      text: params.get('q') ?? '',
      regex: params.get('re') === '1',
      level: LOG_LEVELS.includes(level) ? level : 'debug',
      newestFirst: params.get('order') === 'newest',
      category: params.get('category') || null,
      ...lineOf(params.get('line')),
      ...rangeOf(params.get('from'), params.get('to')),
    };
  }

  write(state: Omit<LogUrlState, 'line' | 'badLine' | 'range' | 'badRange'> & { range?: TimeRange | null }): void {
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
        from: state.range ? urlTime(state.range.from) : null,
        to: state.range ? urlTime(state.range.to) : null,
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

/** A time as the URL holds it: UTC ISO, to the ms (`2026-11-24T12:00:05.000Z`). */
export function urlTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A time of the URL in ms, or null when the text is none: a UTC ISO time (`Z`), seconds and
 * milliseconds optional, whose fields name a real time (no 31 November, no hour 24). Looser
 * forms `Date.parse` takes (local times, `Nov 24`) would name another time in another zone.
 */
export function parseUrlTime(text: string): number | null {
  const match = /^([+-]\d{6}|\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,3}))?)?Z$/.exec(text);
  if (!match) return null;
  const [, year, month, day, hours, minutes, seconds = '00', ms = ''] = match;
  const canonical = `${year}-${month}-${day}T${hours}:${minutes}:${seconds}.${ms.padEnd(3, '0')}Z`;
  const time = Date.parse(canonical);
  return Number.isFinite(time) && urlTime(time) === canonical ? time : null;
}

/** The line `?line=` names, or why it names none (absent: neither). */
export function lineOf(text: string | null): Pick<LogUrlState, 'line' | 'badLine'> {
  if (text === null) return { line: null, badLine: null };
  const line = Number(text);
  if (/^\d+$/.test(text) && Number.isSafeInteger(line)) return { line, badLine: null };
  return { line: null, badLine: `${quote(text)} in the link is not a line number (lines count from 0).` };
}

/** The range `?from=` and `?to=` name, or why they name none (both absent: neither). */
export function rangeOf(from: string | null, to: string | null): Pick<LogUrlState, 'range' | 'badRange'> {
  if (from === null && to === null) return { range: null, badRange: null };
  const bad = (why: string) => ({ range: null, badRange: `${why}: the log is shown whole.` });
  if (from === null || to === null)
    return bad(`The link's time range has no ${from === null ? '"from"' : '"to"'} (it takes both)`);
  const [start, end] = [parseUrlTime(from), parseUrlTime(to)];
  if (start === null || end === null) {
    const which = start === null ? `from=${quote(from)}` : `to=${quote(to)}`;
    return bad(`${which} in the link is not a UTC time such as 2026-11-24T12:00:00.000Z`);
  }
  if (start > end) return bad(`The link's time range ends (to=${quote(to)}) before it starts (from=${quote(from)})`);
  return { range: { from: start, to: end }, badRange: null };
}

/** A link's text as a notice quotes it: in quotes, cut short after QUOTED_CHARS characters. */
function quote(text: string): string {
  return `"${text.length > QUOTED_CHARS ? `${text.slice(0, QUOTED_CHARS)}…` : text}"`;
}
