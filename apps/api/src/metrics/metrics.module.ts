import { Module } from '@nestjs/common';
import { StoresModule } from '../store/stores.module';
import { SessionsModule } from '../sessions/sessions.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Module({
  imports: [SessionsModule, StoresModule],
  controllers: [MetricsController],
  providers: [MetricsService],
  exports: [MetricsService],
})
export class MetricsModule {}
