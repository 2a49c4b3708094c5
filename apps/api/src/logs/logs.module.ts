import { Module } from '@nestjs/common';
import { RequestBodyReader } from '../common/request-body';
import { SessionsModule } from '../sessions/sessions.module';
import { StoresModule } from '../store/stores.module';
import { LogsController } from './logs.controller';
import { LogsService } from './logs.service';
import { AppendRateLimit } from './append-rate-limit';

@Module({
  imports: [StoresModule, SessionsModule],
  controllers: [LogsController],
  providers: [LogsService, RequestBodyReader, AppendRateLimit],
  exports: [LogsService],
})
export class LogsModule {}
