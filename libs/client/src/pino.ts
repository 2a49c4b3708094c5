// @zen/client/pino: feed a session from pino, in process (a destination) or as a pino transport (a worker).
import build from 'pino-abstract-transport';
import { createSessionLogger, SessionLoggerOptions } from './lib/logger/session-logger';
import { PinoRecordOptions, writePinoRecord } from './lib/adapters/pino-destination';

export { createPinoDestination, pinoLevel, writePinoRecord } from './lib/adapters/pino-destination';
export type { PinoDestination, PinoDestinationOptions, PinoRecordOptions } from './lib/adapters/pino-destination';

/**
 * How long the transport's close (at `transport.end()`, or pino's at exit) gives the session logger
 * to send what is pending and end the session, by default: below the 10 s pino waits for its worker,
 * past which pino fails the stream with an `'error'` event (`end() took too long (10s)`) that kills
 * a process with no listener for it. Those 10 s count from `end()`: the worker's start and the
 * records still to read come first (seconds on a loaded machine).
 */
const CLOSE_TIMEOUT_MS = 6_000;

/** The transport's options: the session's, pino's `messageKey`, and how long its close may take. */
export type PinoTransportOptions = SessionLoggerOptions & PinoRecordOptions & { closeTimeoutMs?: number };

/**
 * The pino transport: `pino.transport({ target: '<this module>', options: { server, appname } })`,
 * with pino's `messageKey` among the options when pino's own options set one. Runs in pino's
 * worker thread; the session ends when pino closes the transport, within `closeTimeoutMs`
 * (default 6,000 ms; what is not sent by then is given up).
 */
export default async function pinoTransport(options: PinoTransportOptions) {
  const { messageKey, closeTimeoutMs = CLOSE_TIMEOUT_MS, ...session } = options;
  const logger = createSessionLogger(session);
  return build(
    async (source: AsyncIterable<Record<string, unknown>>) => {
      for await (const record of source) writePinoRecord(logger, record, { messageKey });
    },
    { close: async () => logger.close(closeTimeoutMs).catch(() => undefined) },
  );
}
