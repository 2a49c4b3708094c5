import type { LogLevel } from '@zen/contract';
import { levelOf } from '../logger/level-names';
import { createSessionLogger, SessionLogger, SessionLoggerOptions } from '../logger/session-logger';
import { isoTime, messageText, restAsData } from './adapter-entry';

/** pino's numeric levels: trace 10, debug 20, info 30, warn 40, error 50, fatal 60. */
export function pinoLevel(level: number): LogLevel {
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  return 'debug';
}

/**
 * A record's level: pino's number, or its label (`formatters: { level: (label) => ({ level: label }) }`),
 * read by its number among the levels pino told (custom ones too), else by its name (`levelOf`:
 * pino's own labels, `warning`, `critical`…).
 */
function recordLevel(level: unknown, levels: PinoLevels | undefined): LogLevel {
  if (typeof level === 'number') return pinoLevel(level);
  const value =
    typeof level === 'string' && levels?.values && Object.hasOwn(levels.values, level) && levels.values[level];
  return typeof value === 'number' ? pinoLevel(value) : levelOf(level);
}

/**
 * A record's time: epoch milliseconds (pino's default), seconds (`pino.stdTimeFunctions.unixTime`:
 * any number below 10^11, which in milliseconds would be early 1973) or an ISO string (`isoTime`).
 */
function recordTime(time: unknown): string | undefined {
  return isoTime(typeof time === 'number' && time < 1e11 ? time * 1000 : time);
}

/** pino's levels, as it tells its stream (`levels.values`: each label's number, custom levels too). */
export interface PinoLevels {
  values?: Record<string, number>;
}

/** How pino writes its records: pino tells them to its stream (`PINO_CONFIG`), or they are given. */
export interface PinoRecordOptions {
  /** pino's `messageKey` option: the field that holds the message (`msg` by default). */
  messageKey?: string;
  /** pino's levels: a label `formatters.level` wrote is read by its number there. */
  levels?: PinoLevels;
}

/** What pino tells a stream it is given, as the `'message'` event `PINO_CONFIG` (pino 8.21 and later). */
export interface PinoConfig {
  messageKey?: string;
  levels?: PinoLevels;
}

const OMIT = ['level', 'time', 'pid', 'hostname', 'v'] as const;

/**
 * One pino record (a parsed line) into the session: the `messageKey` field (`msg`) the message,
 * the other fields `data`.
 */
export function writePinoRecord(
  logger: SessionLogger,
  record: Record<string, unknown>,
  { messageKey = 'msg', levels }: PinoRecordOptions = {},
): void {
  // pino writes objects only; anything else written to its stream is text, never a throw.
  if (!record || typeof record !== 'object' || Array.isArray(record)) return logger.info(messageText(record));
  logger.append({
    level: recordLevel(record['level'], levels),
    message: messageText(record[messageKey]),
    data: restAsData(record, [...OMIT, messageKey]),
    time: recordTime(record['time']),
  });
}

export interface PinoDestination {
  /** pino writes one JSON line per call. */
  write(line: string): void;
  /**
   * pino's `logger.flush(cb)`: `cb` is called once what was logged is sent (with the error, should
   * the session refuse it), or with a `FlushTimeoutError` after `flushTimeoutMs` while the server
   * is away (the entries stay queued). Without it, pino would call back at once, nothing sent yet.
   */
  flush(cb: (error?: Error) => void): void;
  /**
   * pino tells its stream its `messageKey` and levels this way as it is created (`PINO_CONFIG`):
   * the destination reads records as the last pino given it writes them, unless its own
   * `messageKey` option says otherwise.
   */
  emit(event: string, message?: unknown): boolean;
  readonly logger: SessionLogger;
  /**
   * Always true: pino takes its only argument for a destination (`pino(destination)`) when it says
   * it is writable; else for options, and writes to stdout, the session getting nothing.
   */
  readonly writable: true;
}

/** The session's (or a session logger), and pino's options that say how its records are written. */
export type PinoDestinationOptions = (SessionLoggerOptions | { logger: SessionLogger }) &
  PinoRecordOptions & {
    /**
     * How long pino's `logger.flush(cb)` waits for a server that is away before it calls back with
     * a `FlushTimeoutError` (ms; default 10,000): a signal handler that exits in `cb` must not
     * wait for good.
     */
    flushTimeoutMs?: number;
  };

const FLUSH_TIMEOUT_MS = 10_000;

/**
 * A destination stream for pino in the same process: `pino(options, createPinoDestination({...}))`,
 * given pino's `messageKey` too when `options` set one. `write` only parses and queues; the
 * session logger sends in the background.
 */
export function createPinoDestination(options: PinoDestinationOptions): PinoDestination {
  const { messageKey, levels, flushTimeoutMs = FLUSH_TIMEOUT_MS, ...session } = options;
  const logger = 'logger' in session ? session.logger : createSessionLogger(session);
  const read: PinoRecordOptions = { messageKey, levels };
  return {
    logger,
    writable: true,
    write(line: string) {
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        record = undefined;
      }
      if (!record || typeof record !== 'object' || Array.isArray(record)) return logger.info(line.replace(/\n$/, ''));
      writePinoRecord(logger, record as Record<string, unknown>, read);
    },
    emit(event, message) {
      const config = pinoConfigOf(event, message);
      if (config) Object.assign(read, { messageKey: messageKey ?? config.messageKey, levels: levels ?? config.levels });
      return false;
    },
    flush(cb) {
      logger.flush(flushTimeoutMs).then(
        () => cb(),
        (error: Error) => cb(error),
      );
    },
  };
}

/** pino's `PINO_CONFIG` message, when `event` and `message` are one. */
export function pinoConfigOf(event: string, message: unknown): PinoConfig | undefined {
  if (event !== 'message' || !message || typeof message !== 'object') return undefined;
  const { code, config } = message as { code?: unknown; config?: unknown };
  return code === 'PINO_CONFIG' && config && typeof config === 'object' ? (config as PinoConfig) : undefined;
}
