import { Module } from '@nestjs/common';
import { SessionsModule } from '../sessions/sessions.module';
import { LogStoreModule } from './store/log-store.module';
import { LogsController } from './logs.controller';
import { LogsService } from './logs.service';

@Module({
  imports: [SessionsModule, LogStoreModule],
  controllers: [LogsController],
  providers: [LogsService],
  exports: [LogsService],
})
export class LogsModule {}
