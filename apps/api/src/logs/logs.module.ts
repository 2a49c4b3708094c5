import { Module } from '@nestjs/common';
import { RequestBodyReader } from '../common/request-body';
import { StoresModule } from '../store/stores.module';
import { LogsController } from './logs.controller';
import { LogsService } from './logs.service';

@Module({
  imports: [StoresModule],
  controllers: [LogsController],
  providers: [LogsService, RequestBodyReader],
  exports: [LogsService],
})
export class LogsModule {}
