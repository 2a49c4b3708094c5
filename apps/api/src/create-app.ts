import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { LOG_HEADERS } from '@zen/contract';
import { AppModule } from './app.module';
import { AccessTokens } from './auth/access-tokens';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { answerClientErrors } from './common/client-errors';
import { AppConfig } from './config/app-config';
import { securityHeaders } from './common/security-headers';
import { LiveWsAdapter } from './live/live-ws.adapter';
import { LogsController } from './logs/logs.controller';
import { LogsFastLane } from './logs/logs-fast-lane';
import { MetricsService } from './metrics/metrics.service';
import { serveOpenApi } from './openapi/openapi';
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
  app.use(app.get(MetricsService).middleware);
  app.use(securityHeaders);
  if (config.corsOrigins.length > 0) {
    app.enableCors({
      origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins,
      exposedHeaders: Object.values(LOG_HEADERS),
    });
  }
  if (config.basePath) app.setGlobalPrefix(config.basePath);
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useWebSocketAdapter(new LiveWsAdapter(app, config, app.get(AccessTokens)));
  serveOpenApi(app);
  // Exit with 0 once closed (Nest would otherwise re-raise the signal).
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  // Beyond this, Node closes new connections at once: a burst cannot exhaust the process.
  app.getHttpServer().maxConnections = config.maxConnections;
  answerClientErrors(app.getHttpServer());
  // CORS headers come from Express; with CORS on, log requests take the ordinary route.
  if (config.corsOrigins.length === 0) {
    new LogsFastLane(config, app.get(LogsController), app.get(AccessTokens), app.get(MetricsService)).install(
      app.getHttpServer(),
      app.getHttpAdapter().getInstance(),
    );
  }
  return app;
}
