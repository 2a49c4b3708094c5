import { Module } from '@nestjs/common';
import { RequestBodyReader } from '../common/request-body';
import { LogStoreModule } from '../logs/store/log-store.module';
import { LivenessService } from './liveness.service';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [LogStoreModule],
  controllers: [SessionsController],
  providers: [SessionsService, LivenessService, RequestBodyReader],
  exports: [SessionsService, RequestBodyReader],
})
export class SessionsModule {}
