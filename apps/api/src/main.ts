import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { AppConfig } from './config/app-config';
import { ConfigError, loadConfig, misspelledSettings } from './config/load-config';
import { listenFailure } from './config/listen-failure';
import { createApp } from './create-app';
import { ServerLogger } from './server-log/server-logger';

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const app = await createApp(config);
  for (const line of misspelledSettings(process.env)) Logger.warn(line, 'Config');
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    await exitAfterListenFailure(app, config, error as NodeJS.ErrnoException);
  }
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  Logger.log(`Listening on ${url}${config.basePath}/ (dashboard at ${config.basePath}/dashboard/)`, 'Bootstrap');
}

/**
 * EADDRINUSE, EACCES, ENOTFOUND…: one line saying which setting to change, rather than a
 * stack. The start-up messages Nest held (bufferLogs), which end with its "successfully
 * started", and Nest's own line for the error are dropped; the shutdown that follows prints
 * only what goes wrong.
 */
async function exitAfterListenFailure(
  app: NestExpressApplication,
  config: AppConfig,
  error: NodeJS.ErrnoException,
): Promise<never> {
  // Flushed with no logger, the held messages go nowhere; then the server's logger is back, for errors only.
  Logger.overrideLogger(false);
  app.flushLogs();
  const logger = app.get(ServerLogger);
  logger.setLogLevels(['error', 'fatal']);
  app.useLogger(logger);
  Logger.error(listenFailure(config, error), 'Bootstrap');
  await app.close();
  process.exit(1);
}

function configOrExit(): AppConfig {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

void bootstrap();
