// @zen/client/pino: feed a session from pino, in process (a destination) or as a pino transport (a worker).
import { parentPort, workerData } from 'node:worker_threads';
import build from 'pino-abstract-transport';
import { createSessionLogger, SessionLoggerOptions } from './lib/logger/session-logger';
import { PinoConfig, pinoConfigOf, PinoRecordOptions, writePinoRecord } from './lib/adapters/pino-destination';

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
 * How long the first record waits for the configuration pino says it sends (`PINO_CONFIG`): pino
 * posts it as it is created, before it writes anything, so it is on its way by then; it never
 * comes only to a transport written to without pino, whose records are then read as pino's defaults.
 */
const CONFIG_WAIT_MS = 2_000;

/**
 * The configuration pino posts to its transport's worker, listened for from the worker's start
 * when pino says it sends one (8.21 and later: `pinoWillSendConfig`). Listened for here rather
 * than with pino-abstract-transport's `expectPinoConfig`, which holds the worker's start until it
 * comes: a transport never given to pino (a set-up that fails between `pino.transport()` and
 * `pino()`) then kept the process alive for good, or for pino's 10 s at `end()`.
 */
function listenForPinoConfig(): { told(): Promise<PinoConfig | undefined>; stop(): void } {
  const data = workerData as { workerData?: { pinoWillSendConfig?: boolean } } | null;
  const port = parentPort;
  if (!port || data?.workerData?.pinoWillSendConfig !== true) {
    return { told: async () => undefined, stop: () => undefined };
  }
  let arrived: (config: PinoConfig) => void = () => undefined;
  const config = new Promise<PinoConfig>((resolve) => (arrived = resolve));
  const listen = (message: unknown) => {
    const told = pinoConfigOf('message', message);
    if (!told) return;
    port.off('message', listen);
    arrived(told);
  };
  port.on('message', listen);
  return {
    // Waited for from the first record on, not from the worker's start: pino may be created later.
    told: async () => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), CONFIG_WAIT_MS);
      });
      try {
        return await Promise.race([config, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    stop: () => port.off('message', listen),
  };
}

/**
 * The pino transport: `pino.transport({ target: '<this module>', options: { server, appname } })`.
 * Runs in pino's worker thread; the session ends when pino closes the transport, within
 * `closeTimeoutMs` (default 6,000 ms; what is not sent by then is given up). pino tells the
 * transport its `messageKey` and levels (custom ones too) as it is created; a `messageKey` among
 * the options takes their place.
 */
export default async function pinoTransport(options: PinoTransportOptions) {
  const { messageKey, levels, closeTimeoutMs = CLOSE_TIMEOUT_MS, ...session } = options;
  const logger = createSessionLogger(session);
  const pinoConfig = listenForPinoConfig();
  return build(
    async (source: AsyncIterable<Record<string, unknown>>) => {
      let read: PinoRecordOptions | undefined;
      for await (const record of source) {
        if (!read) {
          const told = await pinoConfig.told();
          read = { messageKey: messageKey ?? told?.messageKey, levels: levels ?? told?.levels };
        }
        writePinoRecord(logger, record, read);
      }
    },
    {
      close: async () => {
        pinoConfig.stop();
        await logger.close(closeTimeoutMs).catch(() => undefined);
      },
    },
  );
}
