import { Controller, Get, Inject, ServiceUnavailableException } from '@nestjs/common';
import { HealthCheck, HealthCheckResult, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/public.decorator';
import { ApiError, ApiJson } from '../openapi/api-docs.decorators';
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

  /** Liveness: the process answers (200, also while it shuts down). */
  @Get()
  // ApiJson (and ApiError on ready) above HealthCheck, so applied after it: the 200 is documented
  // as the contract's HealthCheck and ready's 503 in the error shape the exception filter answers,
  // not as Terminus's result objects. Here only HealthCheck's no-cache header: it would document a
  // 503 this probe never answers.
  @ApiJson(200, 'The process answers', 'HealthCheck')
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  live(): HealthCheckResult {
    // Not through Terminus's HealthCheckService: once shutting down it answers every check 503
    // ("Service Unavailable Exception"), and a process finishing its requests still lives.
    const up = { process: { uptimeSeconds: Math.round(process.uptime()), status: 'up' as const } };
    return { status: 'ok', info: up, error: {}, details: up };
  }

  /** Readiness: the store answers, the server session exists and the server is not shutting down (503 otherwise). */
  @Get('ready')
  @ApiJson(200, 'Ready: every check is up', 'HealthCheck')
  @ApiError(
    503,
    'Not ready: the store cannot be reached or refuses writes, the server session is missing or ended, or shutting down',
  )
  // Without Terminus's own documentation, as on `live`: it wrote its generic result object (with
  // OpenAPI 3.0's `nullable`) over the 200, prefixing its description, where the answer is HealthCheck.
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  async ready(): Promise<HealthCheckResult> {
    try {
      return await this.checkReady();
    } catch (error) {
      throw notReady(error);
    }
  }

  private checkReady(): Promise<HealthCheckResult> {
    return this.health.check([
      async () => {
        const store = this.indicators.check('store');
        const problem = await this.stores.notReady();
        return problem === undefined ? store.up() : store.down(problem);
      },
      async () => {
        const sessions = this.indicators.check('sessions');
        const id = this.sessions.serverSessionId;
        if (!id) return sessions.down('no server session yet');
        let server: Awaited<ReturnType<SessionsService['find']>>;
        try {
          server = await this.sessions.find(id);
        } catch {
          // The store's own check says why: this one only says it could not look.
          return sessions.down('the server session cannot be read');
        }
        // Ended, and forgotten since by retention: still ended, not lost.
        if (!server) {
          return sessions.down(this.sessions.serverSessionEnded ? 'the server session has ended' : 'no server session');
        }
        // Ended by the other replicas after this one was silent for 30 s (a long pause): not ready.
        return server.active ? sessions.up() : sessions.down('the server session has ended');
      },
      () => {
        const lifecycle = this.indicators.check('lifecycle');
        return this.shutdown.shuttingDown ? lifecycle.down('shutting down') : lifecycle.up();
      },
    ]);
  }
}

/**
 * Terminus answers a failed check with its own result object; the contract's error shape
 * says instead, in its message, what is not ready and why.
 */
function notReady(error: unknown): unknown {
  if (!(error instanceof ServiceUnavailableException)) return error;
  const failed = (error.getResponse() as Partial<HealthCheckResult>).error ?? {};
  const reasons = Object.entries(failed).map(([name, check]) => `${name}: ${check?.['message'] ?? 'down'}`);
  return new ServiceUnavailableException(`not ready: ${reasons.join('; ') || 'a check failed'}`);
}
