import type { LogLevel } from '@zen/contract';
import { createSessionLogger, SessionLogger, SessionLoggerOptions } from '../logger/session-logger';
import { isoTime, LevelMap, messageText, restAsData } from './adapter-entry';

/** pino's numeric levels: trace 10, debug 20, info 30, warn 40, error 50, fatal 60. */
export function pinoLevel(level: number): LogLevel {
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  return 'debug';
}

/** pino's level labels, as `formatters.level` may write them instead of the number. */
const PINO_LABELS: LevelMap = {
  trace: 'debug',
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
};

/** A record's level: pino's number, or its label (`formatters: { level: (label) => ({ level: label }) }`). */
function recordLevel(level: unknown): LogLevel {
  if (typeof level === 'number') return pinoLevel(level);
  return (typeof level === 'string' && PINO_LABELS[level.toLowerCase()]) || 'info';
}

/**
 * A record's time: epoch milliseconds (pino's default), seconds (`pino.stdTimeFunctions.unixTime`:
 * any number below 10^11, which in milliseconds would be early 1973) or an ISO string (`isoTime`).
 */
function recordTime(time: unknown): string | undefined {
  return isoTime(typeof time === 'number' && time < 1e11 ? time * 1000 : time);
}

/** How pino was told to write its records: pino does not tell its destination, so it is told the same. */
export interface PinoRecordOptions {
  /** pino's `messageKey` option: the field that holds the message (`msg` by default). */
  messageKey?: string;
}

const OMIT = ['level', 'time', 'pid', 'hostname', 'v'] as const;

/**
 * One pino record (a parsed line) into the session: the `messageKey` field (`msg`) the message,
 * the other fields `data`.
 */
export function writePinoRecord(
  logger: SessionLogger,
  record: Record<string, unknown>,
  { messageKey = 'msg' }: PinoRecordOptions = {},
): void {
  logger.append({
    level: recordLevel(record['level']),
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
   * the session refuse it). Without it, pino would call back at once, nothing sent yet.
   */
  flush(cb: (error?: Error) => void): void;
  readonly logger: SessionLogger;
  /**
   * Always true: pino takes its only argument for a destination (`pino(destination)`) when it says
   * it is writable; else for options, and writes to stdout, the session getting nothing.
   */
  readonly writable: true;
}

/** The session's (or a session logger), and pino's options that say how its records are written. */
export type PinoDestinationOptions = (SessionLoggerOptions | { logger: SessionLogger }) & PinoRecordOptions;

/**
 * A destination stream for pino in the same process: `pino(options, createPinoDestination({...}))`,
 * given pino's `messageKey` too when `options` set one. `write` only parses and queues; the
 * session logger sends in the background.
 */
export function createPinoDestination(options: PinoDestinationOptions): PinoDestination {
  const { messageKey, ...session } = options;
  const logger = 'logger' in session ? session.logger : createSessionLogger(session);
  return {
    logger,
    writable: true,
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return logger.info(line.replace(/\n$/, ''));
      }
      writePinoRecord(logger, record, { messageKey });
    },
    flush(cb) {
      logger.flush().then(
        () => cb(),
        (error: Error) => cb(error),
      );
    },
  };
}
