import { Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { LogStore } from './log-store';
import { MemoryLogStore } from './memory-log-store';

/** Chooses the log store implementation; the in-memory one is the only one so far. */
@Module({
  providers: [
    {
      provide: LogStore,
      useFactory: (config: AppConfig) => new MemoryLogStore(config.logCapacity),
      inject: [AppConfig],
    },
  ],
  exports: [LogStore],
})
export class LogStoreModule {}
