import { DatePipe } from '@angular/common';
import {
  AfterViewInit,
  inject,
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  input,
  output,
  signal,
  viewChild,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatCheckboxModule } from '@angular/material/checkbox';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatPaginator, MatPaginatorModule, PageEvent } from '@angular/material/paginator';
import { MatSort, MatSortModule, Sort } from '@angular/material/sort';
import { MatTableDataSource, MatTableModule } from '@angular/material/table';
import { Session, SESSION_LIST_STATUSES, SessionListStatus } from '@zen/contract';
import { CopyText } from '../core/copy-text';
import { ViewPrefs } from '../core/view-prefs';
import { MAX_MERGED } from './merged-sources';
import { byStatus, duration, formatDuration, QuickFilterVerdicts, SortedSessions } from './session-table-model';

/**
 * The sessions table. Live pushes replace the data only: the sort, page, filter
 * and selection the user chose stay as they are.
 */
@Component({
  selector: 'zen-sessions-table',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [
    DatePipe,
    MatButtonModule,
    MatCheckboxModule,
    MatButtonToggleModule,
    MatFormFieldModule,
    MatInputModule,
    MatPaginatorModule,
    MatSortModule,
    MatTableModule,
  ],
  templateUrl: './sessions-table.html',
  styleUrl: './sessions-table.scss',
})
export class SessionsTable implements AfterViewInit {
  private readonly clipboard = inject(CopyText);
  private readonly prefs = inject(ViewPrefs);
  readonly sessions = input.required<readonly Session[]>();
  readonly serverSessionId = input<string | null>(null);
  readonly selectedId = input<string | null>(null);
  readonly status = input<SessionListStatus>('active');
  readonly statusChange = output<SessionListStatus>();
  readonly selectedIdChange = output<string>();
  /** Sessions in the (merged) view: their checkboxes are ticked. */
  readonly inView = input<readonly string[]>([]);
  readonly maxInView = MAX_MERGED;
  /** The merged view holds the most sessions it can: the other boxes are disabled. */
  readonly inViewFull = computed(() => this.inView().length >= MAX_MERGED);
  readonly toggleInView = output<string>();

  readonly statuses = SESSION_LIST_STATUSES;
  readonly columns = [
    'inView',
    'appname',
    'mode',
    'jobid',
    'id',
    'created',
    'updated',
    'ended',
    'duration',
    'logCount',
    'warnCount',
    'errorCount',
  ];
  readonly pageSizes = [10, 25, 50, 100];
  /** The sort and page size chosen last, kept across reloads (a stored value the table no longer has is dropped). */
  readonly sortColumn = computed(() => {
    const { column } = this.prefs.tableSort();
    return this.columns.includes(column) && column !== 'inView' ? column : 'created';
  });
  readonly sortDirection = computed(() => {
    const { column, direction } = this.prefs.tableSort();
    if (column !== this.sortColumn()) return 'desc';
    return direction === 'asc' || direction === 'desc' ? direction : '';
  });
  readonly pageSize = computed(() => {
    const size = this.prefs.tablePageSize();
    return this.pageSizes.includes(size) ? size : 10;
  });
  readonly dataSource = new MatTableDataSource<Session>([]);
  /** The quick filter, kept across reloads as the sort is (a stored value that is no text is dropped). */
  readonly quickFilter = computed(() => {
    const text = this.prefs.tableFilter();
    return typeof text === 'string' ? text : '';
  });
  readonly now = signal(Date.now());
  readonly shown = computed(() => byStatus(this.sessions(), this.status()));

  private readonly sort = viewChild.required(MatSort);
  private readonly paginator = viewChild.required(MatPaginator);

  constructor() {
    // Each push re-filters and re-sorts the listing: only the sessions it changed are matched and
    // sorted again (SortedSessions, QuickFilterVerdicts), not all of them.
    const sorted = new SortedSessions();
    this.dataSource.sortData = (data, sort) => sorted.sort(data, sort.active, sort.direction, this.now());
    const verdicts = new QuickFilterVerdicts();
    this.dataSource.filterPredicate = (session, filter) => verdicts.matches(session, filter);
    effect(() => {
      this.now.set(Date.now());
      this.dataSource.data = this.shown();
    });
    effect(() => (this.dataSource.filter = this.quickFilter()));
  }

  ngAfterViewInit(): void {
    this.dataSource.sort = this.sort();
    this.dataSource.paginator = this.paginator();
  }

  sorted(sort: Sort): void {
    this.prefs.tableSort.set({ column: sort.active, direction: sort.direction });
  }

  setQuickFilter(text: string): void {
    this.prefs.tableFilter.set(text);
  }

  paged(page: PageEvent): void {
    if (page.pageSize !== this.prefs.tablePageSize()) this.prefs.tablePageSize.set(page.pageSize);
  }

  /** Rows are kept across pushes (each push brings new objects for the same sessions). */
  trackById(_index: number, session: Session): string {
    return session.id;
  }

  shortId(id: string): string {
    return id.slice(-8);
  }

  durationText(session: Session): string {
    return formatDuration(duration(session, this.now()));
  }

  copy(id: string, event: Event): void {
    event.stopPropagation();
    this.clipboard.copy(id, 'id');
  }
}
