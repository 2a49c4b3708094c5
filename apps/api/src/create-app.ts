import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SESSIONS_WS_PATH } from '@zen/contract';
import { AppModule } from './app.module';
import { ClientAddresses } from './common/client-addresses';
import { parseAllPairs } from './common/query-string';
import { AppConfig } from './config/app-config';
import { ShutdownService } from './health/shutdown.service';
import { HttpPipeline } from './http/http-pipeline';
import { LiveWsAdapter } from './live/live-ws.adapter';
import { DOCS_DATA, DOCS_PATH, serveOpenApi } from './openapi/openapi';
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
  // The raw routes' per-client limits read the client's address as Express's req.ip does.
  app.get(ClientAddresses).trustAs(app.getHttpAdapter().getInstance().get('trust proxy fn'));
  app.set('query parser', parseAllPairs);
  if (config.basePath) app.setGlobalPrefix(config.basePath);
  // Auth, security headers, CORS, metrics and the error shape, for every route and every upgrade.
  const pipeline = app.get(HttpPipeline);
  app.useWebSocketAdapter(new LiveWsAdapter(app, config, pipeline, app.get(ClientAddresses)));
  // The WebSocket, with the read token: upgrades go to LiveGateway, a plain HTTP request
  // is answered 426 by LiveModule's middleware.
  pipeline.addRoute({ method: 'ALL', path: config.under(SESSIONS_WS_PATH), access: 'read', webSocket: true });
  // The API's documents are open without a token like the dashboard's files (they hold no data).
  // The OpenAPI and AsyncAPI documents a tool reads are data, with the API's headers (matched
  // first); the UI's files are pages.
  for (const file of DOCS_DATA) pipeline.addRoute({ method: 'GET', path: config.under(`/${file}`), access: 'public' });
  pipeline.addRoute({ method: 'GET', path: config.under(`/${DOCS_PATH}{/*file}`), access: 'public', pages: true });
  pipeline.install(app);
  serveOpenApi(app);
  // Exit with 0 once closed (Nest would otherwise re-raise the signal).
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  // A shutdown ends each keep-alive connection after its answer (ShutdownService).
  app.get(ShutdownService).watch(app.getHttpServer());
  // Beyond this, Node closes new connections at once: a burst cannot exhaust the process.
  app.getHttpServer().maxConnections = config.maxConnections;
  return app;
}
