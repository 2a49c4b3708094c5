import { Injectable } from '@nestjs/common';
import { LOG_LEVELS } from '@zen/contract';
import { LogStore, MemoryBudget, MemoryLogStore } from '@zen/log-store';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { SessionsService } from '../sessions/sessions.service';
import { RequestDurations } from './request-durations';

/**
 * The Prometheus registry. Session and log figures are read when scraped (nothing on the
 * hot paths); HTTP requests are counted by the HTTP pipeline as they finish; the live room
 * registers the WebSocket's gauges itself (LiveMetrics).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly durations: RequestDurations;

  constructor(sessions: SessionsService, store: LogStore) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'zen_sessions',
      help: 'Sessions held, by status (ended: retained ended sessions)',
      labelNames: ['status'],
      registers,
      async collect() {
        const counts = await sessions.counts();
        this.set({ status: 'active' }, counts.active);
        this.set({ status: 'ended' }, counts.ended);
      },
    });
    const stats = () => store.stats();
    levelCounter(
      'zen_log_entries_appended_total',
      'Log entries appended, by level',
      registers,
      async () => (await stats()).appended,
    );
    levelCounter(
      'zen_log_entries_evicted_total',
      "Log entries evicted past a log's capacity, by level",
      registers,
      async () => (await stats()).evicted,
    );
    if (store instanceof MemoryLogStore && store.budget) memoryBudgetGauges(store, store.budget, registers);
    // Its _count is the number of requests: a separate counter would double the work of
    // every request (measured ~1 µs on the log routes) for the same figure.
    this.durations = new RequestDurations(this.registry);
  }

  /** Counts one finished request that started at `start` (performance.now()). */
  record(method: string, route: string, status: number, start: number): void {
    this.durations.observe(method, route, status, (performance.now() - start) / 1e3);
  }
}

/** A counter by level that follows a store's running totals, read when scraped. */
function levelCounter(name: string, help: string, registers: Registry[], totals: () => Promise<number[]>): void {
  const seen = [0, 0, 0, 0];
  const counter: Counter<'level'> = new Counter({
    name,
    help,
    labelNames: ['level'],
    registers,
    async collect() {
      (await totals()).forEach((total, code) => {
        if (total > seen[code]) counter.inc({ level: LOG_LEVELS[code] }, total - seen[code]);
        seen[code] = total;
      });
    },
  });
  for (const level of LOG_LEVELS) counter.inc({ level }, 0);
}

/** The memory store's budget (LOG_MEMORY_BYTES, LOG_MEMORY_FLOOR_ENTRIES) and what its logs hold now. */
function memoryBudgetGauges(store: MemoryLogStore, budget: MemoryBudget, registers: Registry[]): void {
  new Gauge({
    name: 'zen_log_memory_bytes',
    help: 'Bytes all session logs hold (messages, columns, data), as the memory budget counts them',
    registers,
    collect() {
      this.set(store.heldBytes());
    },
  });
  new Gauge({
    name: 'zen_log_memory_limit_bytes',
    help: "LOG_MEMORY_BYTES: past it the oldest entries are evicted, ended sessions' logs first, then the largest",
    registers,
  }).set(budget.bytes);
  new Gauge({
    name: 'zen_log_memory_floor_entries',
    help: "LOG_MEMORY_FLOOR_ENTRIES: newest entries of an active session's log the budget never evicts",
    registers,
  }).set(budget.floorEntries);
}
