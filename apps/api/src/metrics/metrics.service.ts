import { Injectable } from '@nestjs/common';
import { LogStore, MemoryBudget, MemoryLogStore } from '@zen/log-store';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { SessionsService } from '../sessions/sessions.service';
import { RequestDurations } from './request-durations';
import { StoreFigures } from './store-figures';

/**
 * The Prometheus registry. Session and log figures are read when scraped (nothing on the
 * hot paths; a store that cannot answer does not fail the scrape, see StoreFigures); HTTP
 * requests are counted by the HTTP pipeline as they finish; the live room registers the
 * WebSocket's gauges itself (LiveMetrics).
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly durations: RequestDurations;
  private readonly storeFigures: StoreFigures;

  constructor(sessions: SessionsService, store: LogStore) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.storeFigures = new StoreFigures(sessions, store, registers);
    if (store instanceof MemoryLogStore && store.budget) memoryBudgetGauges(store, store.budget, registers);
    // Its _count is the number of requests: a separate counter would double the work of
    // every request (measured ~1 µs on the log routes) for the same figure.
    this.durations = new RequestDurations(this.registry);
  }

  /** The Prometheus text of a scrape, the store's figures read for it. */
  async scrape(): Promise<string> {
    await this.storeFigures.read();
    return this.registry.metrics();
  }

  /** Counts one finished request that started at `start` (performance.now()). */
  record(method: string, route: string, status: number, start: number): void {
    this.durations.observe(method, route, status, (performance.now() - start) / 1e3);
  }
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
