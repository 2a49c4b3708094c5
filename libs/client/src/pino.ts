// @zen/client/pino: feed a session from pino, in process (a destination) or as a pino transport (a worker).
import build from 'pino-abstract-transport';
import { createSessionLogger, SessionLoggerOptions } from './lib/logger/session-logger';
import { writePinoRecord } from './lib/adapters/pino-destination';

export { createPinoDestination, pinoLevel, writePinoRecord } from './lib/adapters/pino-destination';
export type { PinoDestination } from './lib/adapters/pino-destination';

/**
 * The pino transport: `pino.transport({ target: '<this module>', options: { server, appname } })`.
 * Runs in pino's worker thread; the session ends when pino closes the transport.
 */
export default async function pinoTransport(options: SessionLoggerOptions) {
  const logger = createSessionLogger(options);
  return build(
    async (source: AsyncIterable<Record<string, unknown>>) => {
      for await (const record of source) writePinoRecord(logger, record);
    },
    { close: async () => logger.close() },
  );
}
