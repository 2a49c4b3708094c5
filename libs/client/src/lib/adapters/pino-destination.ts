import type { LogLevel } from '@zen/contract';
import { createSessionLogger, SessionLogger, SessionLoggerOptions } from '../logger/session-logger';
import { isoTime, messageText, restAsData } from './adapter-entry';

/** pino's numeric levels: trace 10, debug 20, info 30, warn 40, error 50, fatal 60. */
export function pinoLevel(level: number): LogLevel {
  if (level >= 50) return 'error';
  if (level >= 40) return 'warn';
  if (level >= 30) return 'info';
  return 'debug';
}

const OMIT = ['level', 'time', 'msg', 'pid', 'hostname', 'v'] as const;

/** One pino record (a parsed line) into the session: `msg` the message, the other fields `data`. */
export function writePinoRecord(logger: SessionLogger, record: Record<string, unknown>): void {
  logger.append({
    level: typeof record['level'] === 'number' ? pinoLevel(record['level']) : 'info',
    message: messageText(record['msg']),
    data: restAsData(record, OMIT),
    time: isoTime(record['time']),
  });
}

export interface PinoDestination {
  /** pino writes one JSON line per call. */
  write(line: string): void;
  readonly logger: SessionLogger;
}

/**
 * A destination stream for pino in the same process: `pino(options, createPinoDestination({...}))`.
 * `write` only parses and queues; the session logger sends in the background.
 */
export function createPinoDestination(options: SessionLoggerOptions | { logger: SessionLogger }): PinoDestination {
  const logger = 'logger' in options ? options.logger : createSessionLogger(options);
  return {
    logger,
    write(line: string) {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return logger.info(line.replace(/\n$/, ''));
      }
      writePinoRecord(logger, record);
    },
  };
}
