import { TestBed } from '@angular/core/testing';
import { FakeSocket, openLiveSocket, provideFakeSockets } from '../testing/fake-socket';
import { CopyText } from './copy-text';
import { ServerErrors } from './server-errors';
import { Clipboard } from '@angular/cdk/clipboard';
import { ServerMessage } from '@zen/contract';

/** What the snack bar shows now (it renders into the CDK overlay container). */
const snackBarText = () => document.querySelector('.mat-mdc-snack-bar-container')?.textContent ?? '';

/** The server's errors shown, a socket to the server open: it, to push events through. */
function connected(): FakeSocket {
  TestBed.inject(ServerErrors);
  return openLiveSocket();
}

const listing: ServerMessage = { event: 'sessions', data: { sessions: [], serverSessionId: 'f'.repeat(24) } };

describe('notices to the user', () => {
  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideFakeSockets()] });
  });

  afterEach(() => {
    jest.useRealTimers();
    document.querySelector('.cdk-overlay-container')?.replaceChildren();
  });

  it('shows a server error event in a snack bar', () => {
    const socket = connected();
    socket.push({ event: 'error', data: { message: 'subscribe-log: session 0123 not found' } });
    TestBed.tick();
    expect(snackBarText()).toContain('The server says: subscribe-log: session 0123 not found');
  });

  it("does not show an older server's refusal of the delta mode", () => {
    const socket = connected();
    socket.push({
      event: 'error',
      data: { message: 'unknown event "subscribe-sessions"; expected one of' },
    });
    TestBed.tick();
    expect(snackBarText()).toBe('');
  });

  // Found by the scale-out dashboard audit: with Redis back, the red snack bar went on saying live
  // updates wait for up to 8 s, over the "N new entries" button, while the indicator said Live.
  it("takes the server's word of a store outage away once the store answers again", () => {
    jest.useFakeTimers();
    const socket = connected();
    socket.push(listing);
    socket.push({
      event: 'error',
      data: { message: 'the session store (Redis at 127.0.0.1:6379) cannot be reached: connect ECONNREFUSED' },
    });
    TestBed.tick();
    expect(snackBarText()).toContain('The server says: the session store (Redis at 127.0.0.1:6379) cannot be reached');
    socket.push(listing);
    TestBed.tick();
    // Its exit animation's time, far from the 8 s it would show.
    jest.advanceTimersByTime(300);
    expect(snackBarText()).toBe('');
  });

  it('leaves other problems to their time when the store answers', () => {
    jest.useFakeTimers();
    const socket = connected();
    socket.push({ event: 'error', data: { message: 'message too large' } });
    socket.push(listing);
    TestBed.tick();
    // Past a dismissal's exit animation (as in the test above): still shown.
    jest.advanceTimersByTime(300);
    expect(snackBarText()).toContain('The server says: message too large');
  });

  // Found by the dashboard audit: after a server restart the view of a session it forgot said so in
  // place of the log (or followed the server's new session), and a snack bar said it again.
  it('does not show a follow refused as not found, which the page says in place of the log', () => {
    const socket = connected();
    socket.push({
      event: 'error',
      data: { message: 'subscribe-log: session 0123456789abcdef01234567 not found' },
    });
    TestBed.tick();
    expect(snackBarText()).toBe('');
    socket.push({
      event: 'error',
      data: { message: 'subscribe-log: session 0123456789abcdef01234567 not subscribed: the store is down' },
    });
    TestBed.tick();
    expect(snackBarText()).toContain('not subscribed: the store is down');
  });

  // jsdom has no clipboard: the CDK's copy is stubbed here; the Chromium tests copy for real.
  it('confirms a copy', () => {
    const copied: string[] = [];
    jest.spyOn(TestBed.inject(Clipboard), 'copy').mockImplementation((text) => (copied.push(text), true));
    TestBed.inject(CopyText).copy('0123', 'id');
    TestBed.tick();
    expect(copied).toEqual(['0123']);
    expect(snackBarText()).toContain('Copied id');
  });

  it('says so when the browser refuses the clipboard', () => {
    jest.spyOn(TestBed.inject(Clipboard), 'copy').mockReturnValue(false);
    TestBed.inject(CopyText).copy('0123', 'id');
    TestBed.tick();
    expect(snackBarText()).toContain('Could not copy id');
  });
});
