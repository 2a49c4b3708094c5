import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { HealthModule } from './health/health.module';
import { ShutdownModule } from './health/shutdown.module';
import { HttpModule } from './http/http.module';
import { LiveModule } from './live/live.module';
import { LogsModule } from './logs/logs.module';
import { MetricsModule } from './metrics/metrics.module';
import { ServerLogModule } from './server-log/server-log.module';
import { SessionsModule } from './sessions/sessions.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ShutdownModule,
        AuthModule,
        ServerLogModule,
        LiveModule,
        SessionsModule,
        LogsModule,
        HealthModule,
        MetricsModule,
        DashboardModule,
        HttpModule,
      ],
    };
  }
}
