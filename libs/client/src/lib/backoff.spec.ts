import { Backoff } from './backoff';
import { MAX_TIMER_MS } from './logger/timers';

describe('Backoff', () => {
  it('doubles its ceiling from the first delay up to the longest, half of each delay fixed', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 400 });
    const ceilings = [100, 200, 400, 400];
    for (const ceiling of ceilings) {
      const delay = backoff.next();
      expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
      expect(delay).toBeLessThanOrEqual(ceiling);
    }
  });

  it("waits at least a server's Retry-After", () => {
    expect(new Backoff({ initialMs: 100 }).next(3_000)).toBe(3_000);
  });

  it('never asks for more than a timer can wait, whatever the Retry-After', () => {
    // A Retry-After a month ahead: a timer given more than 2^31 − 1 ms fires at once.
    expect(new Backoff().next(31 * 24 * 3_600_000)).toBe(MAX_TIMER_MS);
  });
});
