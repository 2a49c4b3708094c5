import { Inject, Injectable, Module, OnApplicationShutdown } from '@nestjs/common';
import { createMemoryStores, LogStore, SessionRegistry, Stores } from '@zen/log-store';
import { AppConfig } from '../config/app-config';

/** The injection token of the Stores pair (the log store and the session registry over it). */
export const STORES = Symbol('STORES');

/** Closes the stores once the application has shut down. */
@Injectable()
class StoresLifecycle implements OnApplicationShutdown {
  constructor(@Inject(STORES) private readonly stores: Stores) {}

  async onApplicationShutdown(): Promise<void> {
    await this.stores.close();
  }
}

/**
 * Where sessions and their logs live: the one place that chooses the implementation.
 * Everything else injects LogStore and SessionRegistry, so a shared implementation
 * replaces both here without touching a controller or the gateway.
 */
@Module({
  providers: [
    {
      provide: STORES,
      useFactory: (config: AppConfig): Stores =>
        createMemoryStores({
          capacity: config.logCapacity,
          retainEnded: config.retainEnded,
          maxActiveClients: config.maxSessions,
          memoryBudget: { bytes: config.logMemoryBytes, floorEntries: config.logMemoryFloorEntries },
        }),
      inject: [AppConfig],
    },
    { provide: LogStore, useFactory: (stores: Stores) => stores.logs, inject: [STORES] },
    { provide: SessionRegistry, useFactory: (stores: Stores) => stores.sessions, inject: [STORES] },
    StoresLifecycle,
  ],
  exports: [STORES, LogStore, SessionRegistry],
})
export class StoresModule {}
