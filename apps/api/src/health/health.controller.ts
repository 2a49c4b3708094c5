import { Controller, Get, Inject } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { Stores } from '@zen/log-store';
import { SessionsService } from '../sessions/sessions.service';
import { STORES } from '../store/stores.module';
import { ShutdownService } from './shutdown.service';

/** Probes for load balancers and orchestrators; open without a token. */
@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly sessions: SessionsService,
    private readonly shutdown: ShutdownService,
    @Inject(STORES) private readonly stores: Stores,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @HealthCheck()
  live(): Promise<HealthCheckResult> {
    return this.health.check([
      () => this.indicators.check('process').up({ uptimeSeconds: Math.round(process.uptime()) }),
    ]);
  }

  /** Readiness: the store answers, the server session exists and the server is not shutting down (503 otherwise). */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => {
        const store = this.indicators.check('store');
        return (await this.stores.ready()) ? store.up() : store.down('the session store cannot be reached');
      },
      async () => {
        const sessions = this.indicators.check('sessions');
        const id = this.sessions.serverSessionId;
        const server = id ? await this.sessions.find(id).catch(() => undefined) : undefined;
        return server ? sessions.up() : sessions.down('no server session');
      },
      () => {
        const lifecycle = this.indicators.check('lifecycle');
        return this.shutdown.shuttingDown ? lifecycle.down('shutting down') : lifecycle.up();
      },
    ]);
  }
}
