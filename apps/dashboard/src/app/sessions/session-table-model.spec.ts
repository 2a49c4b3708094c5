import { session } from '../testing/sessions';
import { byStatus, duration, formatDuration, matchesQuickFilter, sortValue } from './session-table-model';

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
});
