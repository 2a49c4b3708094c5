import { Session, SessionList, WS_EVENTS } from '@zen/contract';
import { SessionsList } from './sessions-list';

const SERVER = 'f'.repeat(24);

function session(id: string, appname = id): Session {
  return {
    id,
    appname,
    mode: 'editor',
    jobid: null,
    metadata: {},
    status: 'active',
    created: `2026-01-01T00:00:00.000Z`,
    updated: `2026-01-01T00:00:00.000Z`,
    ended: null,
    endReason: null,
    logCount: 0,
    logCursor: 0,
    warnCount: 0,
    errorCount: 0,
  };
}

describe('SessionsList', () => {
  let sent: { event: string; data: unknown }[];
  let seen: string[][];
  let lists: SessionList[];
  let list: SessionsList;
  const ids = (each: SessionList) => each.sessions.map((s) => s.id);

  beforeEach(() => {
    sent = [];
    seen = [];
    lists = [];
    list = new SessionsList(
      (event, data) => sent.push({ event, data }),
      (sessions) => seen.push(sessions.map((s) => s.id)),
    );
  });

  it('ignores a delta before the first full list: it has nothing to apply to', () => {
    list.follow((each) => lists.push(each), 'delta');
    list.receiveDelta({ upserted: [session('a')], removed: [] });
    expect(lists).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('applies a delta as the full list would be: new sessions first, changed ones in their place', () => {
    list.follow((each) => lists.push(each), 'delta');
    list.receiveList({ sessions: [session('c'), session('b'), session('a')], serverSessionId: SERVER });
    list.receiveDelta({ upserted: [session('b', 'renamed'), session('e'), session('d')], removed: ['a'] });
    expect(lists.map(ids)).toEqual([
      ['c', 'b', 'a'],
      ['e', 'd', 'c', 'b'],
    ]);
    expect(lists[1].sessions[3].appname).toBe('renamed');
    expect(lists[1].serverSessionId).toBe(SERVER);
    // The follows hear of every session a list or delta brings, before the listeners do.
    expect(seen).toEqual([
      ['c', 'b', 'a'],
      ['b', 'e', 'd'],
    ]);
  });

  it('puts the sessions of each later delta before those of the one before, one removed and created again among them', () => {
    list.follow((each) => lists.push(each), 'delta');
    list.receiveList({ sessions: [session('b'), session('a')], serverSessionId: SERVER });
    list.receiveDelta({ upserted: [session('d'), session('c')], removed: [] });
    list.receiveDelta({ upserted: [session('a', 'again'), session('e')], removed: ['a'] });
    list.receiveDelta({ upserted: [session('c', 'changed')], removed: ['b'] });
    expect(lists.map(ids)).toEqual([
      ['b', 'a'],
      ['d', 'c', 'b', 'a'],
      ['a', 'e', 'd', 'c', 'b'],
      ['a', 'e', 'd', 'c'],
    ]);
    expect(lists[3].sessions.map((each) => each.appname)).toEqual(['again', 'e', 'd', 'changed']);
  });

  it('gives a new listener the list it has at once, and every list after to each listener', () => {
    list.receiveList({ sessions: [session('a')], serverSessionId: SERVER });
    const first: SessionList[] = [];
    const stop = list.follow((each) => first.push(each), 'full');
    list.follow((each) => lists.push(each), 'full');
    expect(first.map(ids)).toEqual([['a']]);
    stop();
    list.receiveList({ sessions: [session('b')], serverSessionId: SERVER });
    expect(first).toHaveLength(1);
    expect(lists.map(ids)).toEqual([['a'], ['b']]);
  });

  it('asks the server for another mode only when it changes, and for delta again on every connect', () => {
    list.follow(() => undefined, 'full');
    list.resubscribe();
    expect(sent).toEqual([]);
    list.follow(() => undefined, 'delta');
    list.follow(() => undefined, 'delta');
    list.resubscribe();
    expect(sent).toEqual([
      { event: WS_EVENTS.subscribeSessions, data: { mode: 'delta' } },
      { event: WS_EVENTS.subscribeSessions, data: { mode: 'delta' } },
    ]);
  });
});
