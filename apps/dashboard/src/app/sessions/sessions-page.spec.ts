import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { SessionsFeed } from '../core/sessions-feed';
import { FakeSocket, openLiveSocket, provideFakeSockets } from '../testing/fake-socket';
import { session } from '../testing/sessions';
import { SessionsPage } from './sessions-page';

@Component({ template: '' })
class Blank {}

describe('SessionsPage selection', () => {
  const server = session({ appname: 'zenserver' });
  const agents = [1, 2, 3].map((i) => session({ appname: 'CookAgent', jobid: 'cook-1', metadata: { i } }));
  const editor = session({ appname: 'UnrealEditor', jobid: 'edit-1' });

  async function pageAt(url: string, sessions = [editor, ...agents, server]) {
    TestBed.configureTestingModule({
      providers: [
        provideRouter(
          [
            { path: 'sessions/:id', component: SessionsPage },
            { path: '**', component: Blank },
          ],
          withComponentInputBinding(),
        ),
        provideFakeSockets(),
      ],
    });
    TestBed.inject(SessionsFeed);
    openLiveSocket().push({
      event: 'sessions',
      data: { sessions, serverSessionId: server.id },
    });
    const harness = await RouterTestingHarness.create();
    const page = await harness.navigateByUrl(url, SessionsPage);
    return { harness, page, router: TestBed.inject(Router) };
  }

  it('reads a merged selection from the URL: valid ids, once each, in order', async () => {
    const { page } = await pageAt(`/sessions/${agents[1].id},nonsense,${agents[0].id},${agents[1].id.toUpperCase()}`);
    expect(page.selectedIds()).toEqual([agents[1].id, agents[0].id]);
    expect(page.viewed().map((s) => s.id)).toEqual([agents[1].id, agents[0].id]);
    expect(page.selected()).toBeNull();
  });

  // Found by the dashboard audit: a merged view whose sessions a restarted server had forgotten said
  // "Session <id>, <id> is not known", and one left of a merged view "1 sessions in one log".
  it('names the sessions a server does not know, and counts those of a merged view, in the right number', async () => {
    const [gone, alsoGone] = [session({ appname: 'Gone' }), session({ appname: 'Gone' })];
    const { harness } = await pageAt(`/sessions/${gone.id},${alsoGone.id}`);
    harness.detectChanges();
    expect(document.body.textContent).toContain(`Sessions ${gone.id}, ${alsoGone.id} are not known to the server`);

    TestBed.resetTestingModule();
    const one = await pageAt(`/sessions/${agents[0].id},${gone.id}`);
    one.harness.detectChanges();
    expect(document.body.textContent).toContain('1 session in one log');
  });

  it('says what a link names that it leaves out: parts that are no id, and sessions past 20', async () => {
    await pageAt(`/sessions/${agents[0].id},not-an-id,${agents[1].id}`);
    expect(document.body.textContent).toContain('Left out of the view: "not-an-id" is not a session id');

    TestBed.resetTestingModule();
    const farm = Array.from({ length: 22 }, () => session({ appname: 'Farm', jobid: 'big' }));
    const { page } = await pageAt(`/sessions/${farm.map((s) => s.id).join(',')}`, [...farm, server]);
    expect(page.selectedIds()).toHaveLength(20);
    expect(document.body.textContent).toContain('a merged view follows at most 20 of the 22 sessions it names');
  });

  it('opens all sessions of a job, and ticks sessions in and out of the view', async () => {
    const { harness, page, router } = await pageAt(`/sessions/${agents[0].id}`);
    page.showAlike(agents[0], 'jobid');
    await harness.fixture.whenStable();
    expect(router.url).toBe(`/sessions/${agents.map((s) => s.id).join(',')}`);
    page.toggleInView(agents[1].id);
    await harness.fixture.whenStable();
    expect(router.url).toBe(`/sessions/${agents[0].id},${agents[2].id}`);
    page.toggleInView(editor.id);
    await harness.fixture.whenStable();
    expect(router.url).toBe(`/sessions/${agents[0].id},${agents[2].id},${editor.id}`);
  });

  it('follows at most 20 sessions: boxes past it are disabled, and "all of this job" says what it left out', async () => {
    const farm = Array.from({ length: 22 }, () => session({ appname: 'Farm', jobid: 'big' }));
    const { harness, page, router } = await pageAt(`/sessions/${farm[0].id}`, [...farm, server]);
    page.showAlike(farm[0], 'jobid');
    await harness.fixture.whenStable();
    const shown = router.url.split('/')[2].split(',');
    expect(shown).toHaveLength(20);
    expect(shown[0]).toBe(farm[0].id);
    expect(document.body.textContent).toContain('Showing 20 of the 22 sessions of job big');

    const left = farm.find((s) => !shown.includes(s.id)) as (typeof farm)[number];
    page.toggleInView(left.id);
    await harness.fixture.whenStable();
    expect(router.url.split('/')[2].split(',')).toEqual(shown);
    // Through the table's pages (ten to a page): every box left unticked is disabled, and only those.
    const root = harness.routeNativeElement as HTMLElement;
    const seen: { checked: boolean; disabled: boolean }[] = [];
    for (let page = 0; page < 3; page++) {
      for (const box of Array.from(root.querySelectorAll<HTMLInputElement>('[data-testid="in-view"] input')))
        seen.push({ checked: box.checked, disabled: box.disabled });
      root.querySelector<HTMLButtonElement>('button[aria-label="Next page"]')?.click();
      await harness.fixture.whenStable();
    }
    expect(seen.filter((box) => !box.checked)).toEqual([
      { checked: false, disabled: true },
      { checked: false, disabled: true },
      { checked: false, disabled: true }, // the server's session
    ]);
    expect(seen.filter((box) => box.checked && box.disabled)).toEqual([]);
  });

  // Stop 59 left this: the notice was a plain paragraph, inserted with its text as the listing came or
  // the session went, which a screen reader does not read out. An alert is read as it is inserted.
  it('says that a linked or shown session is not known, or a link names no session id, in an alert', async () => {
    const alerts = (root: HTMLElement) =>
      Array.from(root.querySelectorAll('[role="alert"]')).map((alert) =>
        alert.textContent?.replace(/\s+/g, ' ').trim(),
      );
    const gone = session({ appname: 'Gone' });
    const linked = await pageAt(`/sessions/${gone.id}`);
    linked.harness.detectChanges();
    expect(alerts(linked.harness.routeNativeElement as HTMLElement)).toEqual([
      `Session ${gone.id} is not known to the server (it may have been forgotten after it ended).`,
    ]);

    // Shown, then forgotten by the server: the log goes, the alert comes.
    TestBed.resetTestingModule();
    const shown = await pageAt(`/sessions/${editor.id}`);
    const root = shown.harness.routeNativeElement as HTMLElement;
    expect(alerts(root)).toEqual([]);
    FakeSocket.latest().push({
      event: 'sessions',
      data: { sessions: [...agents, server], serverSessionId: server.id },
    });
    await shown.harness.fixture.whenStable();
    shown.harness.detectChanges();
    expect(alerts(root)).toEqual([
      `Session ${editor.id} is not known to the server (it may have been forgotten after it ended).`,
    ]);

    TestBed.resetTestingModule();
    const malformed = await pageAt('/sessions/not-an-id');
    malformed.harness.detectChanges();
    expect(alerts(malformed.harness.routeNativeElement as HTMLElement)).toEqual([
      '"not-an-id" is not a session id: an id is 24 hexadecimal digits.',
    ]);
  });

  it('says when the URL names no valid session id, instead of an empty pane', async () => {
    const { harness } = await pageAt('/sessions/not-an-id');
    expect((harness.routeNativeElement as HTMLElement).textContent).toContain('"not-an-id" is not a session id');
  });

  // Found by the dashboard audit: opened on the server's own session, a restart of a server on the
  // memory store left the view saying its session was unknown, though the server's log went on.
  it("follows the server's own session to the new one when a restarted server has forgotten the old", async () => {
    const { harness, router } = await pageAt(`/sessions/${server.id}?q=crash`);
    const restarted = session({ appname: 'zenserver' });
    FakeSocket.latest().push({ event: 'sessions', data: { sessions: [restarted], serverSessionId: restarted.id } });
    await harness.fixture.whenStable();
    expect(router.url).toBe(`/sessions/${restarted.id}?q=crash`);
    // An old server session still known (ended, on Redis), or another session shown: the view stays.
    const again = session({ appname: 'zenserver' });
    FakeSocket.latest().push({
      event: 'sessions',
      data: { sessions: [again, { ...restarted, status: 'ended' }], serverSessionId: again.id },
    });
    await harness.fixture.whenStable();
    expect(router.url).toBe(`/sessions/${restarted.id}?q=crash`);
  });

  it('drops a permalinked line when the selection changes', async () => {
    const { harness, page, router } = await pageAt(`/sessions/${editor.id}?line=3&q=crash`);
    page.select(agents[0].id);
    await harness.fixture.whenStable();
    expect(router.url).toBe(`/sessions/${agents[0].id}?q=crash`);
  });
});
