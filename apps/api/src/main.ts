import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { AppConfig } from './config/app-config';
import { ConfigError, loadConfig } from './config/load-config';
import { createApp } from './create-app';

async function bootstrap(): Promise<void> {
  const config = configOrExit();
  const app = await createApp(config);
  try {
    await app.listen(config.port, config.host);
  } catch (error) {
    // EADDRINUSE, EACCES, ENOTFOUND…: say which settings to change rather than print a stack.
    const { code, message } = error as NodeJS.ErrnoException;
    // Nest holds start-up logs (bufferLogs) until listening succeeds: print them now.
    app.flushLogs();
    Logger.error(`Cannot listen on ${config.host}:${config.port} (HOST, PORT): ${code ?? message}`, 'Bootstrap');
    await app.close();
    process.exit(1);
  }
  const url = (await app.getUrl()).replace('[::1]', 'localhost');
  Logger.log(`Listening on ${url}${config.basePath}/ (dashboard at ${config.basePath}/dashboard/)`, 'Bootstrap');
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
