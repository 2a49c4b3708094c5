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
  /** When the timer last fired: a tick far later than its period means this process did not run. */
  private lastTickAt: number | undefined;
  /**
   * When this process last found that it had not run for a while (stopped by SIGSTOP or a
   * debugger, swapped out, its event loop blocked). Clients beat meanwhile: their requests wait
   * unread in the sockets and are read only after the first tick, which would end every session
   * whose heartbeat was waiting. So, as after a store fault, nothing is expired until a timeout
   * has passed since.
   */
  private stalledAt: number | undefined;
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
    this.lastTickAt = Date.now();
    this.timer = setInterval(() => void this.tick(timeoutMs, period), period);
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
  private async tick(timeoutMs: number, period: number): Promise<void> {
    this.noticeStall(Date.now(), timeoutMs, period);
    if (this.sweeping) return;
    this.sweeping = true;
    try {
      if (this.failedAt !== undefined) {
        if (!(await this.stores.ready())) this.failedAt = Date.now();
        if (Date.now() - this.failedAt < timeoutMs) return;
      }
      if (this.stalledAt !== undefined) {
        if (Date.now() - this.stalledAt < timeoutMs) return;
        this.stalledAt = undefined;
        this.logger.log('idle sessions are expired again');
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

  /**
   * A tick at least a period late (and at least STALL_MS): this process did not run meanwhile,
   * so it heard no client either. Said once per stall (a stall within a timeout of the last one
   * extends it silently).
   */
  private noticeStall(now: number, timeoutMs: number, period: number): void {
    const last = this.lastTickAt;
    this.lastTickAt = now;
    if (last === undefined) return;
    const late = now - last - period;
    if (late < Math.max(period, STALL_MS)) return;
    if (this.stalledAt === undefined) {
      this.logger.warn(
        `this process did not run for ${now - last} ms (stopped, swapped out or its event loop blocked): ` +
          `no idle session is expired until ${timeoutMs / 1000} s from now, so that clients heard from late can beat again`,
      );
    }
    this.stalledAt = now;
  }
}

/** The least lateness of the sweep's timer taken for a stall of the process (not mere load). */
const STALL_MS = 500;
