import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Stores } from '@zen/log-store';
import { AppConfig } from '../config/app-config';
import { STORES } from '../store/stores.module';
import { SessionsService } from './sessions.service';

/** Ends client sessions that sent nothing for SESSIONS_TIMEOUT_S seconds. */
@Injectable()
export class LivenessService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  /** A sweep is under way: the next tick waits for the next period rather than piling up on a slow store. */
  private sweeping = false;
  /**
   * Since a sweep failed (said once, and once again when sweeps work): when the store was last
   * found not ready (undefined once sweeps work).
   * Until a timeout has passed since, nothing is expired: while the store was away or refused
   * writes (a full Redis, a read-only replica), clients' heartbeats were refused too, and the
   * first sweep after it would end every session that kept trying.
   */
  private failedAt: number | undefined;
  private readonly logger = new Logger('Liveness');

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    @Inject(STORES) private readonly stores: Stores,
  ) {}

  onApplicationBootstrap(): void {
    const timeoutMs = this.config.sessionTimeoutS * 1000;
    if (timeoutMs === 0) return;
    // Sweep often enough that a session outlives its timeout by at most a quarter of it (or 1 s).
    const period = Math.min(1000, Math.max(100, timeoutMs / 4));
    this.timer = setInterval(() => void this.tick(timeoutMs), period);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(timeoutMs: number, now = Date.now()): Promise<void> {
    await this.sessions.expireIdle(now - timeoutMs);
  }

  /**
   * One timer tick's sweep. A store that cannot be reached fails it (a shared store during an
   * outage): the process goes on, and idle sessions are expired once the store is back and a
   * timeout has passed since the last failure (see failedAt).
   */
  private async tick(timeoutMs: number): Promise<void> {
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      if (this.failedAt !== undefined) {
        if (!(await this.stores.ready())) this.failedAt = Date.now();
        if (Date.now() - this.failedAt < timeoutMs) return;
      }
      await this.sweep(timeoutMs);
      if (this.failedAt !== undefined) this.logger.log('idle sessions are expired again');
      this.failedAt = undefined;
    } catch (error) {
      if (this.failedAt === undefined) {
        this.logger.warn(`idle sessions cannot be expired for now: ${(error as Error).message}`);
      }
      this.failedAt = Date.now();
    } finally {
      this.sweeping = false;
    }
  }
}
