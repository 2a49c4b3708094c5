import { BreakpointObserver } from '@angular/cdk/layout';
import { ChangeDetectionStrategy, Component, computed, effect, inject, input, untracked } from '@angular/core';
import { toSignal } from '@angular/core/rxjs-interop';
import { Router } from '@angular/router';
import { parseOid, Session, SESSION_LIST_STATUSES, SessionListStatus } from '@zen/contract';
import { fromEvent, map } from 'rxjs';
import { LiveConnection } from '../core/live-connection';
import { Notices } from '../core/notices';
import { SessionsFeed } from '../core/sessions-feed';
import { ViewPrefs } from '../core/view-prefs';
import { Splitter } from '../layout/splitter';
import { LogViewer } from '../log-viewer/log-viewer';
import { MAX_MERGED, MergedSources } from './merged-sources';
import { SessionDetail } from './session-detail';
import { SessionsTable } from './sessions-table';

/** At 1280×800 this leaves the log viewer most of the window. */
const DEFAULT_TABLE_HEIGHT = 260;
const MIN_TABLE_HEIGHT = 120;
/** Below the table pane: the toolbar above it, the splitter, and the log's controls, histogram and a few rows. */
const ROOM_FOR_LOG_PX = 370;
/**
 * The one page: sessions table, then the selected session's details and live log, or
 * the log of several sessions merged. The URL holds the selection (`sessions/<id>`, or
 * `sessions/<id>,<id>,…` for a merged view) and the status tab (`?status=`); without a
 * selection, the server's own session is selected.
 */
@Component({
  selector: 'zen-sessions-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [SessionsTable, SessionDetail, LogViewer, MergedSources, Splitter],
  templateUrl: './sessions-page.html',
  styleUrl: './sessions-page.scss',
})
export class SessionsPage {
  private readonly router = inject(Router);
  private readonly feed = inject(SessionsFeed);
  private readonly prefs = inject(ViewPrefs);
  private readonly notices = inject(Notices);

  /** Route parameter and query parameter, bound by the router. */
  readonly id = input<string | undefined>();
  readonly status = input<string | undefined>();

  readonly list = this.feed.list;
  /** Said in place of the table while no listing came because the server's store is down. */
  readonly storeOutage = inject(LiveConnection).storeOutage;
  /** Below 900 px wide the panes stack and the page scrolls instead. */
  readonly narrow = toSignal(
    inject(BreakpointObserver)
      .observe('(max-width: 900px)')
      .pipe(map((state) => state.matches)),
    { initialValue: false },
  );
  private readonly windowHeight = toSignal(fromEvent(window, 'resize').pipe(map(() => window.innerHeight)), {
    initialValue: window.innerHeight,
  });
  readonly minTableHeight = MIN_TABLE_HEIGHT;
  /** As tall as the window allows with the log still on screen. */
  readonly maxTableHeight = computed(() => Math.max(MIN_TABLE_HEIGHT, this.windowHeight() - ROOM_FOR_LOG_PX));
  /**
   * The table pane's height: the user's split, kept across reloads; within the window, so a
   * split saved on a taller one does not push the log off screen (it comes back in a taller window).
   */
  readonly tableHeight = computed(() =>
    Math.min(this.prefs.tableHeight() ?? DEFAULT_TABLE_HEIGHT, this.maxTableHeight()),
  );
  readonly statusTab = computed<SessionListStatus>(() => {
    const status = this.status() as SessionListStatus;
    return SESSION_LIST_STATUSES.includes(status) ? status : 'active';
  });
  /** What the URL names, part by part (empty parts, as in `a,,b`, left out). */
  private readonly urlParts = computed(() =>
    (this.id() ?? '')
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== ''),
  );
  /** The valid ids the URL names, distinct, in order. */
  private readonly urlIds = computed(() => [
    ...new Set(
      this.urlParts()
        .map(parseOid)
        .filter((id): id is string => id !== null),
    ),
  ]);
  /** The ids shown: the URL's, up to MAX_MERGED. */
  readonly selectedIds = computed<string[]>(() => this.urlIds().slice(0, MAX_MERGED));
  readonly selectedId = computed(() => (this.selectedIds().length === 1 ? this.selectedIds()[0] : null));
  /** The URL names something, but no valid id: said, rather than an empty pane. */
  readonly malformed = computed(() => (this.selectedIds().length === 0 ? (this.id() ?? null) : null));
  private readonly byId = computed(() => new Map(this.list()?.sessions.map((session) => [session.id, session])));
  /** The sessions shown, in the URL's order; ids the server does not know are left out. */
  readonly viewed = computed<Session[]>(
    () => {
      const byId = this.byId();
      return this.selectedIds()
        .map((id) => byId.get(id))
        .filter((session): session is Session => !!session);
    },
    { equal: (a, b) => a.length === b.length && a.every((session, i) => session === b[i]) },
  );
  readonly missing = computed(() => this.selectedIds().filter((id) => !this.byId().has(id)));
  readonly selected = computed(() => (this.selectedIds().length === 1 ? (this.viewed()[0] ?? null) : null));
  /**
   * What a link names beside the sessions shown and is not shown (parts that are no id, ids past
   * MAX_MERGED), said once rather than dropped without a word. A URL with no valid id at all has
   * its own notice (malformed).
   */
  readonly leftOut = computed(() => {
    const ids = this.urlIds();
    if (ids.length === 0) return null;
    const said: string[] = [];
    const invalid = this.urlParts().filter((part) => parseOid(part) === null);
    if (invalid.length > 0) {
      const quoted = invalid.map((part) => `"${part}"`).join(', ');
      said.push(
        `${quoted} ${invalid.length === 1 ? 'is not a session id' : 'are not session ids'} (24 hexadecimal digits)`,
      );
    }
    if (ids.length > MAX_MERGED) {
      said.push(`a merged view follows at most ${MAX_MERGED} of the ${ids.length} sessions it names`);
    }
    return said.length > 0 ? `Left out of the view: ${said.join('; ')}` : null;
  });

  /** The server's own session as the last list named it: a restarted server names another. */
  private serverSessionId: string | null = null;

  constructor() {
    effect(() => {
      const list = this.list();
      if (!list) return;
      const previous = this.serverSessionId;
      this.serverSessionId = list.serverSessionId;
      if (!this.id()) this.select(list.serverSessionId, true);
      else if (untracked(() => this.showsForgottenServerSession(previous))) this.select(list.serverSessionId, true);
    });
    effect(() => {
      const leftOut = this.leftOut();
      if (leftOut) untracked(() => this.notices.info(leftOut));
    });
  }

  /**
   * Whether the view is of the server's own session, `previous`, that the server forgot as it
   * restarted (with the memory store; with Redis it stays, ended): the server's log goes on in
   * the new server session, which the view follows rather than saying its session is unknown.
   */
  private showsForgottenServerSession(previous: string | null): boolean {
    const ids = this.selectedIds();
    const list = this.list();
    return (
      !!list &&
      previous !== null &&
      previous !== list.serverSessionId &&
      ids.length === 1 &&
      ids[0] === previous &&
      !this.byId().has(previous)
    );
  }

  select(id: string, replaceUrl = false): void {
    this.show([id], replaceUrl);
  }

  /** Opens the merged view of `ids` (one id: the single-session view). */
  show(ids: readonly string[], replaceUrl = false): void {
    if (ids.length === 0) return;
    void this.router.navigate(['sessions', ids.slice(0, MAX_MERGED).join(',')], {
      // The line and the time range are of the sessions left; the filters, level and order go on.
      queryParams: { line: null, from: null, to: null },
      queryParamsHandling: 'merge',
      replaceUrl,
    });
  }

  /** A checkbox in the table: add the session to the view (show() keeps MAX_MERGED; the table disables the rest), or take it out. */
  toggleInView(id: string): void {
    const ids = this.selectedIds();
    const next = ids.includes(id) ? ids.filter((other) => other !== id) : [...ids, id];
    this.show(next);
  }

  /** "All sessions of this job / app" from the detail panel: this one and the newest others, up to MAX_MERGED. */
  showAlike(session: Session, by: 'jobid' | 'appname'): void {
    const alike = (this.list()?.sessions ?? []).filter((other) => other[by] === session[by]);
    this.show([session.id, ...alike.map((other) => other.id).filter((id) => id !== session.id)]);
    if (alike.length > MAX_MERGED) {
      const what = by === 'jobid' ? `job ${session.jobid}` : `app ${session.appname}`;
      this.notices.info(
        `Showing ${MAX_MERGED} of the ${alike.length} sessions of ${what}: a merged view follows at most ${MAX_MERGED}`,
      );
    }
  }

  resizeTable(height: number): void {
    this.prefs.tableHeight.set(height);
  }

  setStatus(status: SessionListStatus): void {
    void this.router.navigate([], { queryParams: { status }, queryParamsHandling: 'merge' });
  }
}
