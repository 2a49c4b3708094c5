import { LogEntry, LogEventData, WS_EVENTS } from '@zen/contract';
import { Backoff } from '../backoff';
import { FollowedLog } from './followed-log';
import { DroppedAt } from './live-client-options';

const ID = 'a'.repeat(24);

function entry(seq: number): LogEntry {
  return { seq, time: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`, level: 'info', message: `m${seq}` };
}

function event(seqs: number[], cursor: number, dropped = 0): LogEventData {
  return { id: ID, entries: seqs.map(entry), cursor, dropped };
}

/** A follow without a session lookup (it takes every event at once), and what it told and sent. */
function followFrom(cursor: number) {
  const told: string[] = [];
  const sent: { event: string; data: unknown }[] = [];
  const follow = new FollowedLog(
    ID,
    cursor,
    {
      onEntries: (entries, at) => told.push(`entries ${entries.map((e) => e.seq).join(',')} to ${at}`),
      onDropped: (count: number, at: DroppedAt) =>
        told.push(`dropped ${count} at ${at.seq}${at.time ? ' with time' : ''}`),
      onRestarted: (created) => told.push(`restarted ${created}`),
    },
    {
      send: (name, data) => sent.push({ event: name, data }),
      served: () => told.push('served'),
      lookup: null,
      newBackoff: () => new Backoff(),
      checked: () => undefined,
      lookupFailed: () => undefined,
    },
  );
  return { follow, told, sent };
}

describe('FollowedLog', () => {
  it('subscribes from its cursor and tells each entry once, in order, as the cursor moves', () => {
    const { follow, told, sent } = followFrom(2);
    follow.subscribe();
    expect(sent).toEqual([{ event: WS_EVENTS.subscribeLog, data: { id: ID, cursor: 2 } }]);
    follow.receive(event([2, 3, 4], 5));
    // A backlog that overlaps what was seen (after a resubscription): only what is new.
    follow.receive(event([3, 4, 5, 6], 7));
    expect(told).toEqual(['served', 'entries 2,3,4 to 5', 'served', 'entries 5,6 to 7']);
    expect(follow.cursor).toBe(7);
  });

  it('skips the events of an earlier subscription until the first of its own', () => {
    const { follow, told } = followFrom(0);
    follow.subscribe();
    follow.receive(event([6, 7], 8)); // the replaced follow's, further on
    follow.receive(event([0, 1], 2));
    follow.receive(event([8], 9));
    expect(told).toEqual(['served', 'entries 0,1 to 2', 'served', 'entries 8 to 9']);
  });

  it('tells a gap once, before the entries after it, and only the part past its cursor', () => {
    const { follow, told } = followFrom(0);
    follow.subscribe();
    follow.receive(event([5, 6], 7, 5));
    // The same gap in front of a backlog it has read past: nothing new.
    follow.receive(event([5, 6, 7], 8, 5));
    // A gap with no entry after it in the event ends at the event's cursor.
    follow.receive(event([], 12, 4));
    expect(told).toEqual([
      'dropped 5 at 5 with time',
      'served',
      'entries 5,6 to 7',
      'served',
      'entries 7 to 8',
      'dropped 4 at 12',
      'served',
    ]);
    expect(follow.cursor).toBe(12);
  });

  it('starts over at seq 0 on the log of a session created again', () => {
    const { follow, told, sent } = followFrom(0);
    follow.subscribe();
    follow.receive(event([0, 1, 2], 3));
    follow.startOver('2026-02-02T00:00:00.000Z');
    follow.subscribe();
    expect(follow.cursor).toBe(0);
    expect(follow.created).toBe('2026-02-02T00:00:00.000Z');
    expect(told.at(-1)).toBe('restarted 2026-02-02T00:00:00.000Z');
    expect(sent.at(-1)).toEqual({ event: WS_EVENTS.subscribeLog, data: { id: ID, cursor: 0 } });
  });

  it('counts a session as another only once its created is known and differs', () => {
    const { follow } = followFrom(0);
    expect(follow.isAnother('2026-01-01T00:00:00.000Z')).toBe(false);
    follow.created = '2026-01-01T00:00:00.000Z';
    expect(follow.isAnother('2026-01-01T00:00:00.000Z')).toBe(false);
    expect(follow.isAnother('2026-02-02T00:00:00.000Z')).toBe(true);
  });

  it('has its refusal told once for each subscription', () => {
    const { follow } = followFrom(0);
    follow.subscribe();
    expect([follow.firstRefusal(), follow.firstRefusal()]).toEqual([true, false]);
    follow.subscribe();
    expect(follow.firstRefusal()).toBe(true);
  });
});
