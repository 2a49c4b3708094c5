import { Module } from '@nestjs/common';
import { LiveModule } from '../live/live.module';
import { LogStoreModule } from '../logs/store/log-store.module';
import { SessionsModule } from '../sessions/sessions.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Module({
  imports: [SessionsModule, LogStoreModule, LiveModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
