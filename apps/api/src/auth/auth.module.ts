import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { AccessTokens } from './access-tokens';

/**
 * Optional bearer tokens (AUTH_TOKEN, AUTH_READ_TOKEN), checked by the HTTP pipeline for
 * every route that is not @Public() and by the WebSocket adapter on upgrade.
 */
@Global()
@Module({
  providers: [
    {
      provide: AccessTokens,
      useFactory: (config: AppConfig) => new AccessTokens(config.authToken, config.authReadToken),
      inject: [AppConfig],
    },
  ],
  exports: [AccessTokens],
})
export class AuthModule {}
