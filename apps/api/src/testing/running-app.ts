import { NestExpressApplication } from '@nestjs/platform-express';
import { loadConfig } from '../config/load-config';
import { createApp } from '../create-app';

export interface RunningApp {
  app: NestExpressApplication;
  /** Server root including BASE_PATH, without a trailing slash: `http://127.0.0.1:PORT/zen`. */
  url: string;
  /** The same as a WebSocket URL. */
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * Starts the real application on a free loopback port with the given environment.
 * Console output is silenced (the server session still records everything).
 */
export async function startApp(env: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadConfig({ PORT: '0', ...env });
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
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

export const JSON_HEADERS = { 'content-type': 'application/json' };
