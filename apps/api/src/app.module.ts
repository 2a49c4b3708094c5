import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { ConfigModule } from './config/config.module';
import { DashboardModule } from './dashboard/dashboard.module';
import { LiveModule } from './live/live.module';
import { LogsModule } from './logs/logs.module';
import { ServerLogModule } from './server-log/server-log.module';
import { SessionsModule } from './sessions/sessions.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        ServerLogModule,
        LiveModule,
        SessionsModule,
        LogsModule,
        DashboardModule,
      ],
    };
  }
}
