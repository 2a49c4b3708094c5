import { LOG_LEVELS } from '@zen/contract';
import { LogStore, StoreUnavailableError } from '@zen/log-store';
import { Counter, Gauge, Registry } from 'prom-client';
import { SessionsService } from '../sessions/sessions.service';

/**
 * The figures the session store holds (sessions by status, entries appended and evicted by
 * level), read once per scrape before the registry is written out. A store that cannot answer
 * (Redis away or stalled) does not fail the scrape: an outage is when the process's and the
 * HTTP figures matter most. `zen_store_up` is then 0, the session counts are left out, and
 * the entry totals stay at what the store last said.
 */
export class StoreFigures {
  private readonly up: Gauge;
  private readonly held: Gauge<'status'>;
  private readonly appended: LevelTotals;
  private readonly evicted: LevelTotals;

  constructor(
    private readonly sessions: SessionsService,
    private readonly store: LogStore,
    registers: Registry[],
  ) {
    this.up = new Gauge({
      name: 'zen_store_up',
      help: 'Whether the session store (Redis with LOG_STORE=redis) answered this scrape: 1 yes, 0 no',
      registers,
    });
    this.held = new Gauge({
      name: 'zen_sessions',
      help: "Sessions held, by status (ended: retained ended sessions); left out while the store cannot answer; with Redis the shared store's count, the same on every replica (aggregate with max, not sum)",
      labelNames: ['status'],
      registers,
    });
    this.appended = new LevelTotals(
      'zen_log_entries_appended_total',
      'Log entries appended through this process (with Redis: this replica), by level',
      registers,
    );
    this.evicted = new LevelTotals(
      'zen_log_entries_evicted_total',
      'Log entries evicted (past a log capacity or the memory budget) by appends through this process (with Redis: this replica), by level',
      registers,
    );
  }

  /** Reads the store's figures for the scrape about to be written. */
  async read(): Promise<void> {
    let counts, stats;
    try {
      [counts, stats] = await Promise.all([this.sessions.counts(), this.store.stats()]);
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
      this.up.set(0);
      this.held.reset();
      return;
    }
    this.up.set(1);
    this.held.set({ status: 'active' }, counts.active);
    this.held.set({ status: 'ended' }, counts.ended);
    this.appended.follow(stats.appended);
    this.evicted.follow(stats.evicted);
  }
}

/** A counter by level that follows a store's running totals (indexed by level code). */
class LevelTotals {
  private readonly seen = [0, 0, 0, 0];
  private readonly counter: Counter<'level'>;

  constructor(name: string, help: string, registers: Registry[]) {
    this.counter = new Counter({ name, help, labelNames: ['level'], registers });
    for (const level of LOG_LEVELS) this.counter.inc({ level }, 0);
  }

  follow(totals: number[]): void {
    totals.forEach((total, code) => {
      if (total > this.seen[code]) this.counter.inc({ level: LOG_LEVELS[code] }, total - this.seen[code]);
      this.seen[code] = total;
    });
  }
}
