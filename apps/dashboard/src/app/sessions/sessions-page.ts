import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Router } from '@angular/router';
import { map } from 'rxjs';
import { SESSION_LIST_STATUSES, SessionListStatus } from '@zen/contract';
import { SessionsFeed } from '../core/sessions-feed';
import { ViewPrefs } from '../core/view-prefs';
import { Splitter } from '../layout/splitter';
import { LogViewer } from '../log-viewer/log-viewer';
import { SessionDetail } from './session-detail';
import { SessionsTable } from './sessions-table';

/** At 1280×800 this leaves the log viewer most of the window. */
const DEFAULT_TABLE_HEIGHT = 260;

/**
 * The one page: sessions table, then the selected session's details and live log.
 * The URL holds the selection (`sessions/<id>`) and the status tab (`?status=`);
 * without a selection, the server's own session is selected.
 */
@Component({
  selector: 'zen-sessions-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [SessionsTable, SessionDetail, LogViewer, Splitter],
  templateUrl: './sessions-page.html',
  styleUrl: './sessions-page.scss',
})
export class SessionsPage {
  private readonly router = inject(Router);
  private readonly feed = inject(SessionsFeed);

  /** Route parameter and query parameter, bound by the router. */
  readonly id = input<string | undefined>();
  readonly status = input<string | undefined>();

  private readonly prefs = inject(ViewPrefs);

  readonly list = this.feed.list;
  /** Below 900 px wide the panes stack and the page scrolls instead. */
  readonly narrow = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 900px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  /** The table pane's height: the user's split, kept across reloads. */
  readonly tableHeight = computed(() => this.prefs.tableHeight() ?? DEFAULT_TABLE_HEIGHT);
  readonly statusTab = computed<SessionListStatus>(() => {
    const status = this.status() as SessionListStatus;
    return SESSION_LIST_STATUSES.includes(status) ? status : 'active';
  });
  readonly selectedId = computed(() => this.id()?.toLowerCase() ?? null);
  readonly selected = computed(() => this.list()?.sessions.find((session) => session.id === this.selectedId()) ?? null);

  constructor() {
    effect(() => {
      const list = this.list();
      if (list && !this.id()) this.select(list.serverSessionId, true);
    });
  }

  select(id: string, replaceUrl = false): void {
    void this.router.navigate(['sessions', id], { queryParamsHandling: 'preserve', replaceUrl });
  }

  resizeTable(height: number): void {
    this.prefs.tableHeight.set(height);
  }

  setStatus(status: SessionListStatus): void {
    void this.router.navigate([], { queryParams: { status }, queryParamsHandling: 'merge' });
  }
}
