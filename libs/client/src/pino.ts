// @zen/client/pino: feed a session from pino, in process (a destination) or as a pino transport (a worker).
import build from 'pino-abstract-transport';
import { createSessionLogger, SessionLoggerOptions } from './lib/logger/session-logger';
import { PinoRecordOptions, writePinoRecord } from './lib/adapters/pino-destination';

export { createPinoDestination, pinoLevel, writePinoRecord } from './lib/adapters/pino-destination';
export type { PinoDestination, PinoDestinationOptions, PinoRecordOptions } from './lib/adapters/pino-destination';

/**
 * The pino transport: `pino.transport({ target: '<this module>', options: { server, appname } })`,
 * with pino's `messageKey` among the options when pino's own options set one. Runs in pino's
 * worker thread; the session ends when pino closes the transport.
 */
export default async function pinoTransport(options: SessionLoggerOptions & PinoRecordOptions) {
  const { messageKey, ...session } = options;
  const logger = createSessionLogger(session);
  return build(
    async (source: AsyncIterable<Record<string, unknown>>) => {
      for await (const record of source) writePinoRecord(logger, record, { messageKey });
    },
    { close: async () => logger.close() },
  );
}
