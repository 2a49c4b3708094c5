import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { SessionsService } from './sessions.service';

/** Ends client sessions that sent nothing for SESSIONS_TIMEOUT_S seconds. */
@Injectable()
export class LivenessService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
  ) {}

  onApplicationBootstrap(): void {
    const timeoutMs = this.config.sessionTimeoutS * 1000;
    if (timeoutMs === 0) return;
    // Sweep often enough that a session outlives its timeout by at most a quarter of it (or 1 s).
    const period = Math.min(1000, Math.max(100, timeoutMs / 4));
    this.timer = setInterval(() => void this.sweep(timeoutMs), period);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async sweep(timeoutMs: number, now = Date.now()): Promise<void> {
    await this.sessions.expireIdle(now - timeoutMs);
  }
}
