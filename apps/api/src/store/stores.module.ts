import { Inject, Injectable, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { createMemoryStores, LogStore, SessionRegistry, Stores, StoresOptions } from '@zen/log-store';
import { createRedisStores } from '@zen/log-store/redis';
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

/** LOG_STORE's choice: this process's memory, or Redis shared by every replica (connecting in the background). */
async function createStores(config: AppConfig): Promise<Stores> {
  const options: StoresOptions = {
    capacity: config.logCapacity,
    retainEnded: config.retainEnded,
    maxActiveClients: config.maxSessions,
  };
  if (config.logStore === 'memory') {
    return createMemoryStores({
      ...options,
      memoryBudget: { bytes: config.logMemoryBytes, floorEntries: config.logMemoryFloorEntries },
    });
  }
  const logger = new Logger('Store');
  return createRedisStores({
    ...options,
    url: config.redisUrl,
    keyPrefix: config.redisKeyPrefix,
    commandTimeoutMs: config.redisTimeoutMs,
    largeReads: config.redisLargeReads,
    largeReadWaitMs: config.redisLargeReadWaitMs,
    onEvent: (message) => logger.warn(message),
    // ServerSession looks for this replica's session every 5 s and, when Redis lost it, says so
    // (`… its data was lost); creating another`): the heartbeat's line said it a second time.
    lostServerSessionsToldByOwner: true,
  });
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
      useFactory: createStores,
      inject: [AppConfig],
    },
    { provide: LogStore, useFactory: (stores: Stores) => stores.logs, inject: [STORES] },
    { provide: SessionRegistry, useFactory: (stores: Stores) => stores.sessions, inject: [STORES] },
    StoresLifecycle,
  ],
  exports: [STORES, LogStore, SessionRegistry],
})
export class StoresModule {}
