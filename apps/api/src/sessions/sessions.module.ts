import { Module } from '@nestjs/common';
import { RequestBodyReader } from '../common/request-body';
import { ClientAddresses } from '../common/client-addresses';
import { UnsentResponses } from '../common/unsent-responses';
import { StoresModule } from '../store/stores.module';
import { LivenessService } from './liveness.service';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  imports: [StoresModule],
  controllers: [SessionsController],
  providers: [SessionsService, LivenessService, RequestBodyReader, UnsentResponses, ClientAddresses],
  exports: [SessionsService, RequestBodyReader, UnsentResponses, ClientAddresses],
})
export class SessionsModule {}
