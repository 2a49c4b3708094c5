import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/**
 * Graceful shutdown on SIGTERM/SIGINT: readiness turns false first (so a proxy stops
 * sending), then Nest closes the WebSockets (1001) and the HTTP server, which stops
 * accepting and lets in-flight requests finish. A watchdog bounds that one shutdown
 * and ends with it: a process that closed cleanly but lives on (a test runner, an
 * embedding) is never killed by it later.
 */
@Injectable()
export class ShutdownService implements BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('Shutdown');
  private stopping = false;
  private watchdog: NodeJS.Timeout | undefined;

  constructor(private readonly config: AppConfig) {}

  get shuttingDown(): boolean {
    return this.stopping;
  }

  beforeApplicationShutdown(signal?: string): void {
    this.stopping = true;
    this.logger.log(`Shutting down${signal ? ` on ${signal}` : ''}: finishing in-flight requests, closing WebSockets`);
    this.watchdog = setTimeout(() => {
      this.logger.error(`Shutdown took longer than ${this.config.shutdownTimeoutMs} ms (SHUTDOWN_TIMEOUT_MS); exiting`);
      process.exit(1);
    }, this.config.shutdownTimeoutMs);
    this.watchdog.unref();
  }

  onApplicationShutdown(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    this.logger.log('Shutdown complete');
  }
}
