import type { LogData, LogLevel } from '@zen/contract';
import { createSessionLogger, SessionLogger, type SessionLoggerOptions } from '../logger/session-logger';

/** The logger an adapter's `session` option names: a logger of your own, or one created from the options. */
export function sessionLoggerOf(session: SessionLoggerOptions | SessionLogger): SessionLogger {
  return session instanceof SessionLogger ? session : createSessionLogger(session);
}

/**
 * Fields of another logger's record that say something only the entry itself already says. A
 * getter that throws makes it `{ unserializable: <its message> }`, as data that cannot be written
 * is sent: never an exception at the caller.
 */
export function restAsData(record: Record<string, unknown>, omit: readonly string[]): LogData | undefined {
  let data: LogData | undefined;
  try {
    for (const key of Object.keys(record)) {
      if (omit.includes(key) || record[key] === undefined) continue;
      (data ??= {})[key] = record[key];
    }
  } catch (error) {
    return { unserializable: error instanceof Error ? error.message : 'it cannot be read' };
  }
  return data;
}

/** An ISO time from a record's time field (epoch ms or a date string), when it is one. */
export function isoTime(value: unknown): string | undefined {
  if (typeof value !== 'number' && typeof value !== 'string') return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export { messageText } from '../logger/message-text';

export type LevelMap = Record<string, LogLevel>;
