import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { AppConfig } from './config/app-config';
import { LiveWsAdapter } from './live/live-ws.adapter';
import { ServerLogger } from './server-log/server-logger';

/**
 * Builds the application (not yet listening): shared by main.ts and the tests,
 * so both run exactly the server users run.
 */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    // Bodies are read by the routes themselves, after the id is validated.
    bodyParser: false,
    bufferLogs: true,
  });
  app.useLogger(app.get(ServerLogger));
  app.set('etag', false);
  app.set('x-powered-by', false);
  app.set('trust proxy', config.trustProxy);
  if (config.basePath) app.setGlobalPrefix(config.basePath);
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useWebSocketAdapter(new LiveWsAdapter(app, config));
  app.enableShutdownHooks();
  return app;
}
