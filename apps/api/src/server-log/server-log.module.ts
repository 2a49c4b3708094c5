import { Module } from '@nestjs/common';
import { LogsModule } from '../logs/logs.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ServerLogger } from './server-logger';

@Module({
  imports: [SessionsModule, LogsModule],
  providers: [ServerLogger],
  exports: [ServerLogger],
})
export class ServerLogModule {}
