import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import helmet from 'helmet';
import { AppModule } from './app.module';
import { AccessTokens } from './auth/access-tokens';
import { ApiExceptionFilter } from './common/api-exception.filter';
import { AppConfig } from './config/app-config';
import { LiveWsAdapter } from './live/live-ws.adapter';
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
  app.use(helmet(securityHeaders()));
  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins.includes('*') ? '*' : config.corsOrigins, exposedHeaders: ['X-Log-Cursor', 'X-Log-Dropped', 'X-Log-Total'] });
  }
  if (config.basePath) app.setGlobalPrefix(config.basePath);
  app.useGlobalFilters(new ApiExceptionFilter());
  app.useWebSocketAdapter(new LiveWsAdapter(app, config, app.get(AccessTokens)));
  serveOpenApi(app);
  app.enableShutdownHooks();
  return app;
}

/** Helmet's defaults, with a CSP the built dashboard (and the API docs) satisfy over plain HTTP too. */
function securityHeaders(): Parameters<typeof helmet>[0] {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Angular Material and the docs UI set inline styles.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // TLS is the reverse proxy's business; HSTS from a plain-HTTP LAN server would be wrong.
    strictTransportSecurity: false,
  };
}
