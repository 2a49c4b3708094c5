import { ComponentFixture, TestBed } from '@angular/core/testing';
import { Session } from '@zen/contract';
import { session } from '../testing/sessions';
import { SessionsTable } from './sessions-table';

describe('SessionsTable', () => {
  let fixture: ComponentFixture<SessionsTable>;
  const apps = () =>
    [...fixture.nativeElement.querySelectorAll('tr[data-session-id] td.mat-column-appname')].map((cell: HTMLElement) =>
      cell.textContent?.trim(),
    );
  const many = (count: number): Session[] =>
    Array.from({ length: count }, (_, i) =>
      session({
        appname: `app-${String(i).padStart(2, '0')}`,
        created: new Date(Date.UTC(2026, 10, 24, 12, 0, i)).toISOString(),
        errorCount: i % 3,
      }),
    );

  async function render(sessions: Session[]): Promise<void> {
    fixture.componentRef.setInput('sessions', sessions);
    fixture.detectChanges();
    await fixture.whenStable();
    fixture.detectChanges();
  }

  beforeEach(async () => {
    // The sort and page size chosen are kept in localStorage (ViewPrefs): each test starts from none.
    localStorage.clear();
    await TestBed.configureTestingModule({ imports: [SessionsTable] }).compileComponents();
    fixture = TestBed.createComponent(SessionsTable);
  });

  it('shows the newest sessions first, ten to a page', async () => {
    await render(many(25));
    expect(apps()).toHaveLength(10);
    expect(apps()[0]).toBe('app-24');
    expect(fixture.nativeElement.textContent).toContain('1 – 10 of 25');
  });

  it('sorts by a column when its header is clicked', async () => {
    await render(many(25));
    const header = [...fixture.nativeElement.querySelectorAll('th')].find((th: HTMLElement) =>
      th.textContent?.includes('App'),
    ) as HTMLElement;
    (header.querySelector('.mat-sort-header-container') as HTMLElement).click();
    fixture.detectChanges();
    expect(apps().slice(0, 2)).toEqual(['app-00', 'app-01']);
  });

  it('filters on the quick filter text', async () => {
    await render([
      session({ appname: 'Editor', metadata: { project: 'Lyra' } }),
      session({ appname: 'Agent', metadata: { project: 'Fortnite' } }),
    ]);
    const input = fixture.nativeElement.querySelector('[data-testid="session-filter"]') as HTMLInputElement;
    input.value = 'lyra';
    input.dispatchEvent(new Event('input'));
    fixture.detectChanges();
    expect(apps()).toEqual(['Editor']);
  });

  it('keeps the page and sort when a live update replaces the data', async () => {
    const sessions = many(25);
    await render(sessions);
    (fixture.nativeElement.querySelector('.mat-mdc-paginator-navigation-next') as HTMLElement).click();
    fixture.detectChanges();
    expect(apps()[0]).toBe('app-14');
    await render([...sessions, session({ appname: 'app-new', created: '2026-11-24T13:00:00.000Z' })]);
    expect(apps()[0]).toBe('app-15');
    expect(fixture.nativeElement.textContent).toContain('11 – 20 of 26');
  });

  it('shows only the chosen status and emits the selection on click', async () => {
    const ended = session({
      appname: 'Gone',
      status: 'ended',
      ended: '2026-11-24T12:05:00.000Z',
      endReason: 'expired',
    });
    fixture.componentRef.setInput('status', 'ended');
    await render([session({ appname: 'Here' }), ended]);
    expect(apps()).toEqual(['Gone']);
    expect(fixture.nativeElement.textContent).toContain('expired');
    const selected: string[] = [];
    fixture.componentInstance.selectedIdChange.subscribe((id) => selected.push(id));
    (fixture.nativeElement.querySelector('tr[data-session-id]') as HTMLElement).click();
    expect(selected).toEqual([ended.id]);
  });

  // The shown session's row was marked by its tint alone: a screen reader could not tell which it was.
  it('marks the row of the shown session as the current one (aria-current), and no other', async () => {
    const [first, second] = many(2);
    fixture.componentRef.setInput('selectedId', second.id);
    await render([first, second]);
    const current = () =>
      [...fixture.nativeElement.querySelectorAll('tr[aria-current="true"]')].map(
        (row: HTMLElement) => row.dataset['sessionId'],
      );
    expect(current()).toEqual([second.id]);
    fixture.componentRef.setInput('selectedId', first.id);
    fixture.detectChanges();
    expect(current()).toEqual([first.id]);
  });
});
