import { MiddlewareConsumer, Module, NestModule, RequestMethod } from '@nestjs/common';
import { SESSIONS_WS_PATH } from '@zen/contract';
import { MetricsModule } from '../metrics/metrics.module';
import { SessionsModule } from '../sessions/sessions.module';
import { StoresModule } from '../store/stores.module';
import { LiveMetrics } from './live-metrics';
import { LiveGateway } from './live.gateway';
import { LogFollowers } from './log-followers';
import { SessionsFeed } from './sessions-feed';
import { UpgradeRequiredMiddleware } from './upgrade-required.middleware';
import { WsQueue } from './ws-queue';

@Module({
  imports: [SessionsModule, StoresModule, MetricsModule],
  providers: [LiveGateway, LogFollowers, SessionsFeed, LiveMetrics, WsQueue],
  exports: [LiveGateway, LogFollowers],
})
export class LiveModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(UpgradeRequiredMiddleware).forRoutes({ path: SESSIONS_WS_PATH.slice(1), method: RequestMethod.ALL });
  }
}
