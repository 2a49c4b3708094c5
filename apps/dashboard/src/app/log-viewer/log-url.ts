import { inject, Injectable } from '@angular/core';
import { ActivatedRoute, Router } from '@angular/router';
import { LOG_LEVELS, LogLevel } from '@zen/contract';

/** The part of the log view that a shared link reproduces. */
export interface LogUrlState {
  text: string;
  regex: boolean;
  level: LogLevel;
  newestFirst: boolean;
  category: string | null;
  /** `?line=<seq>`: the permalinked line. */
  line: number | null;
}

/**
 * Reads and writes the log view's state in the query string: `q` (filter text),
 * `re=1` (regex), `level`, `order=newest`, `category`, and `line` (a permalink).
 */
@Injectable({ providedIn: 'root' })
export class LogUrl {
  private readonly router = inject(Router);
  private readonly route = inject(ActivatedRoute);

  read(): LogUrlState {
    const params = this.router.routerState.snapshot.root.queryParamMap;
    const level = params.get('level') as LogLevel;
    const line = Number(params.get('line'));
    return {
      text: params.get('q') ?? '',
      regex: params.get('re') === '1',
      level: LOG_LEVELS.includes(level) ? level : 'debug',
      newestFirst: params.get('order') === 'newest',
      category: params.get('category') || null,
      line: params.has('line') && Number.isInteger(line) && line >= 0 ? line : null,
    };
  }

  write(state: Omit<LogUrlState, 'line'>): void {
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

  /** The absolute link that opens `source` scrolled to line `seq`. */
  permalink(source: string, seq: number): string {
    return new URL(`sessions/${source}?line=${seq}`, document.baseURI).toString();
  }
}
