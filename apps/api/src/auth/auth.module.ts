import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AppConfig } from '../config/app-config';
import { AccessTokens } from './access-tokens';
import { AuthGuard } from './auth.guard';

/** Optional bearer-token authentication (AUTH_TOKEN, AUTH_READ_TOKEN) for HTTP; the WebSocket adapter checks the same tokens. */
@Global()
@Module({
  providers: [
    {
      provide: AccessTokens,
      useFactory: (config: AppConfig) => new AccessTokens(config.authToken, config.authReadToken),
      inject: [AppConfig],
    },
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AccessTokens],
})
export class AuthModule {}
