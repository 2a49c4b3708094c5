import { Module } from '@nestjs/common';
import { RequestBodyReader } from '../common/request-body';
import { UnsentResponses } from '../common/unsent-responses';
import { StoresModule } from '../store/stores.module';
import { LivenessService } from './liveness.service';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [StoresModule],
  controllers: [SessionsController],
  providers: [SessionsService, LivenessService, RequestBodyReader, UnsentResponses],
  exports: [SessionsService, RequestBodyReader, UnsentResponses],
})
export class SessionsModule {}
