import { session } from '../testing/sessions';
import { Session } from '@zen/contract';
import {
  byStatus,
  duration,
  formatDuration,
  matchesQuickFilter,
  QuickFilterVerdicts,
  SortedSessions,
  sortValue,
} from './session-table-model';

describe('session table model', () => {
  const active = session({ appname: 'Editor' });
  const ended = session({ status: 'ended', ended: '2026-11-24T12:01:05.000Z', endReason: 'deleted' });

  it('keeps the sessions of the chosen status tab', () => {
    expect(byStatus([active, ended], 'active')).toEqual([active]);
    expect(byStatus([active, ended], 'ended')).toEqual([ended]);
    expect(byStatus([active, ended], 'all')).toEqual([active, ended]);
  });

  it('measures duration to the end, or to now while active', () => {
    const now = Date.parse('2026-11-24T13:02:03.000Z');
    expect(duration(ended, now)).toBe(65_000);
    expect(duration(active, now)).toBe(3_723_000);
    expect(formatDuration(65_000)).toBe('1m 05s');
    expect(formatDuration(3_723_000)).toBe('1h 02m');
    expect(formatDuration(42_000)).toBe('42s');
  });

  it('sorts by times, counts, text case-insensitively, and active sessions after ended ones by end', () => {
    const now = Date.now();
    expect(sortValue(session({ created: '2026-11-24T12:00:01.000Z' }), 'created', now)).toBe(
      Date.parse('2026-11-24T12:00:01.000Z'),
    );
    expect(sortValue(session({ errorCount: 7 }), 'errorCount', now)).toBe(7);
    expect(sortValue(session({ appname: 'ZenServer' }), 'appname', now)).toBe('zenserver');
    expect(sortValue(active, 'ended', now)).toBeGreaterThan(sortValue(ended, 'ended', now) as number);
  });

  it('filters on appname, mode, job id and metadata values, case-insensitively', () => {
    const s = session({
      appname: 'BuildAgent',
      mode: 'cook',
      jobid: 'job-42',
      metadata: { project: 'Lyra', cores: 64 },
    });
    for (const text of ['buildagent', 'COOK', 'job-4', 'lyra', '64'])
      expect([text, matchesQuickFilter(s, text)]).toEqual([text, true]);
    expect(matchesQuickFilter(s, 'fortnite')).toBe(false);
    expect(matchesQuickFilter(s, '  ')).toBe(true);
  });

  describe('kept sorted from one listing to the next (SortedSessions)', () => {
    /** A seeded generator (mulberry32): a failing run fails again. */
    const random = (seed: number) => () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const at = (ms: number) => new Date(Date.UTC(2026, 10, 24, 12) + ms).toISOString();
    /** What MatTableDataSource did: a stable sort of the whole listing on every push. */
    const sortedWhole = (listing: readonly Session[], column: string, direction: 'asc' | 'desc', now: number) =>
      [...listing].sort((a, b) => {
        const va = sortValue(a, column, now);
        const vb = sortValue(b, column, now);
        return (va > vb ? 1 : va < vb ? -1 : 0) * (direction === 'asc' ? 1 : -1);
      });

    for (const column of ['updated', 'created', 'ended', 'duration', 'appname', 'jobid', 'logCount', 'errorCount'])
      for (const direction of ['asc', 'desc'] as const)
        it(`gives the stable sort of every listing by ${column} ${direction} as sessions change, come, end and go`, () => {
          const next = random(column.length * 31 + direction.length);
          let clock = 0;
          let listing: Session[] = Array.from({ length: 300 }, () =>
            session({
              appname: `Agent${Math.floor(next() * 20)}`,
              jobid: next() < 0.2 ? null : `job-${Math.floor(next() * 9)}`,
              created: at((clock += Math.floor(next() * 3))),
              updated: at(clock),
              logCount: Math.floor(next() * 5),
              errorCount: Math.floor(next() * 2),
            }),
          ).reverse();
          const sorted = new SortedSessions();
          for (let push = 0; push < 60; push++) {
            // A delta: some sessions changed in place (new objects), a few ended, forgotten or new (first).
            listing = listing.map((s) => {
              if (next() > 0.05) return s;
              clock += Math.floor(next() * 3);
              if (s.status === 'active' && next() < 0.2)
                return { ...s, status: 'ended' as const, ended: at(clock), updated: at(clock), endReason: 'deleted' };
              return {
                ...s,
                updated: at(clock),
                logCount: s.logCount + 1,
                errorCount: s.errorCount + (next() < 0.3 ? 1 : 0),
              };
            });
            listing = listing.filter(() => next() > 0.01);
            const added = Array.from({ length: Math.floor(next() * 4) }, () =>
              session({ appname: `Agent${Math.floor(next() * 20)}`, created: at(++clock), updated: at(clock) }),
            );
            listing = [...added.reverse(), ...listing];
            // Now and then the tab or the quick filter shows another part of the listing.
            const shown = push % 15 === 7 ? listing.filter((s) => s.status === 'active') : listing;
            const now = Date.parse(at(clock + 1000));
            expect(sorted.sort(shown, column, direction, now)).toEqual(sortedWhole(shown, column, direction, now));
          }
        });

    it('gives the listing as it is when no sort is chosen', () => {
      const listing = [session({ appname: 'b' }), session({ appname: 'a' })];
      expect(new SortedSessions().sort(listing, 'appname', '', Date.now())).toEqual(listing);
    });

    it('works out the sort value of changed sessions only', () => {
      const listing = Array.from({ length: 1000 }, (_, i) => session({ updated: at(i), logCount: i }));
      const sorted = new SortedSessions();
      sorted.sort(listing, 'logCount', 'desc', 0);
      const reads = jest.fn();
      const changed = listing.map((s, i) =>
        i % 100 === 0
          ? new Proxy({ ...s, logCount: s.logCount + 1000 }, { get: (t, k) => (reads(k), Reflect.get(t, k)) })
          : s,
      );
      expect(sorted.sort(changed, 'logCount', 'desc', 0).slice(0, 10)).toEqual(
        changed.filter((_, i) => i % 100 === 0).reverse(),
      );
      expect(reads.mock.calls.filter(([key]) => key === 'logCount')).toHaveLength(10);
    });
  });

  it('matches each session object once while the quick filter stays (QuickFilterVerdicts)', () => {
    const verdicts = new QuickFilterVerdicts();
    const reads = jest.fn();
    const s = new Proxy(session({ appname: 'BuildAgent', mode: 'cook' }), {
      get: (t, k) => (reads(k), Reflect.get(t, k)),
    });
    expect(verdicts.matches(s, 'cook')).toBe(true);
    const once = reads.mock.calls.length;
    expect(verdicts.matches(s, 'cook')).toBe(true);
    expect(reads.mock.calls.length).toBe(once);
    expect(verdicts.matches(s, 'lyra')).toBe(false);
    expect(verdicts.matches({ ...s, metadata: { project: 'Lyra' } }, 'lyra')).toBe(true);
  });
});
