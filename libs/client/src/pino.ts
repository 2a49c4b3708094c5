// @zen/client/pino: feed a session from pino, in process (a destination) or as a pino transport (a worker).
import { workerData } from 'node:worker_threads';
import build from 'pino-abstract-transport';
import { createSessionLogger, SessionLoggerOptions } from './lib/logger/session-logger';
import { PinoConfig, PinoRecordOptions, writePinoRecord } from './lib/adapters/pino-destination';

export { createPinoDestination, pinoConfigOf, pinoLevel, writePinoRecord } from './lib/adapters/pino-destination';
export type {
  PinoConfig,
  PinoDestination,
  PinoDestinationOptions,
  PinoLevels,
  PinoRecordOptions,
} from './lib/adapters/pino-destination';

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
 * The pino transport: `pino.transport({ target: '<this module>', options: { server, appname } })`.
 * Runs in pino's worker thread; the session ends when pino closes the transport, within
 * `closeTimeoutMs` (default 6,000 ms; what is not sent by then is given up). pino tells the
 * transport its `messageKey` and levels (custom ones too) before the first record; a `messageKey`
 * among the options takes their place.
 */
export default async function pinoTransport(options: PinoTransportOptions) {
  const { messageKey, levels, closeTimeoutMs = CLOSE_TIMEOUT_MS, ...session } = options;
  const logger = createSessionLogger(session);
  return build(
    async (source: AsyncIterable<Record<string, unknown>> & PinoConfig) => {
      const read: PinoRecordOptions = { messageKey: messageKey ?? source.messageKey, levels: levels ?? source.levels };
      for await (const record of source) writePinoRecord(logger, record, read);
    },
    {
      close: async () => logger.close(closeTimeoutMs).catch(() => undefined),
      // Only from a pino that says it sends them (8.21 and later): an older one would never, and
      // pino-abstract-transport fails a transport that expects them there.
      expectPinoConfig:
        (workerData as { workerData?: { pinoWillSendConfig?: boolean } } | null)?.workerData?.pinoWillSendConfig ===
        true,
    },
  );
}
