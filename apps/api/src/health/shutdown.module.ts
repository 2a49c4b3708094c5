import { Global, Module } from '@nestjs/common';
import { ShutdownService } from './shutdown.service';

/**
 * The graceful shutdown, in a global module: Nest runs the shutdown hooks of global modules
 * after every other module's, so its watchdog, armed before any module's shutdown hook, still
 * guards theirs (the stores' close, which ends the server session in Redis and waits up to
 * REDIS_TIMEOUT_MS for it), and "Shutdown complete" is logged once everything has closed.
 */
@Global()
@Module({
  providers: [ShutdownService],
  exports: [ShutdownService],
})
export class ShutdownModule {}
