import { Component } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { LiveConnection, SOCKET_FACTORY } from '../core/live-connection';
import { SessionsFeed } from '../core/sessions-feed';
import { FakeSocket } from '../testing/fake-socket';
import { session } from '../testing/sessions';
import { SessionsPage } from './sessions-page';

@Component({ template: '' })
class Blank {}

describe('SessionsPage selection', () => {
  const server = session({ appname: 'zenserver' });
  const agents = [1, 2, 3].map((i) => session({ appname: 'CookAgent', jobid: 'cook-1', metadata: { i } }));
  const editor = session({ appname: 'UnrealEditor', jobid: 'edit-1' });

  async function pageAt(url: string) {
    FakeSocket.created = [];
    TestBed.configureTestingModule({
      providers: [
        provideRouter(
          [
            { path: 'sessions/:id', component: SessionsPage },
            { path: '**', component: Blank },
          ],
          withComponentInputBinding(),
        ),
        { provide: SOCKET_FACTORY, useValue: (socketUrl: string) => new FakeSocket(socketUrl) },
      ],
    });
    TestBed.inject(SessionsFeed);
    TestBed.inject(LiveConnection).connect();
    FakeSocket.latest().open();
    FakeSocket.latest().push({
      event: 'sessions',
      data: { sessions: [editor, ...agents, server], serverSessionId: server.id },
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

  it('drops a permalinked line when the selection changes', async () => {
    const { harness, page, router } = await pageAt(`/sessions/${editor.id}?line=3&q=crash`);
    page.select(agents[0].id);
    await harness.fixture.whenStable();
    expect(router.url).toBe(`/sessions/${agents[0].id}?q=crash`);
  });
});
