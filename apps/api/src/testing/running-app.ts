import { NestExpressApplication } from '@nestjs/platform-express';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config/load-config';
import { createApp } from '../create-app';
import { ServerLogger } from '../server-log/server-logger';

export interface RunningApp {
  app: NestExpressApplication;
  /** Server root including BASE_PATH, without a trailing slash: `http://127.0.0.1:PORT/zen`. */
  url: string;
  /** The same as a WebSocket URL. */
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * The store the suite runs on: memory, or with LOG_STORE=redis in the test process's
 * environment (the api-redis run), Redis under a key prefix of this app's own, so that
 * test apps sharing the run's redis-server never see each other's sessions.
 */
function storeEnv(): Record<string, string> {
  if (process.env['LOG_STORE'] !== 'redis') return {};
  return {
    LOG_STORE: 'redis',
    REDIS_URL: process.env['REDIS_URL'] ?? '',
    REDIS_KEY_PREFIX: `test-${randomBytes(6).toString('hex')}:`,
    // No suite of this run is about Redis being slow (store/redis-faults.spec.ts and log-store's
    // are, with their own): on an overloaded machine a 20 MB append outlasted the 2 s default.
    REDIS_TIMEOUT_MS: '10000',
  };
}

/**
 * Starts the real application on a free port of HOST (loopback unless given) with the given environment.
 * Console output is silenced (the server session still records everything).
 */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadConfig({ PORT: '0', ...storeEnv(), ...env });
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const app = await createApp(config);
  // On HOST (127.0.0.1 unless given): what the server answers depends on the address it listens on.
  await app.listen(0, config.host);
  // Start-up messages are logged once listening; let them reach the server session first.
  await app.get(ServerLogger).settled();
  const root = (await app.getUrl()).replace('[::1]', '127.0.0.1') + config.basePath;
  return {
    app,
    url: root,
    wsUrl: root.replace(/^http/, 'ws'),
    async close() {
      await app.close();
      stdout.mockRestore();
    },
  };
}
