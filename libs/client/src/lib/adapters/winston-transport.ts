import Transport, { TransportStreamOptions } from 'winston-transport';
import type { LogLevel } from '@zen/contract';
import { createSessionLogger, SessionLogger, SessionLoggerOptions } from '../logger/session-logger';
import { isoTime, LevelMap, messageText, restAsData } from './adapter-entry';

/** winston's level sets (`winston.config.npm`, `syslog` and `cli`) onto the contract's four. */
export const WINSTON_LEVELS: LevelMap = {
  emerg: 'error',
  alert: 'error',
  crit: 'error',
  error: 'error',
  warning: 'warn',
  warn: 'warn',
  notice: 'info',
  info: 'info',
  http: 'info',
  help: 'info',
  data: 'info',
  prompt: 'info',
  input: 'info',
  verbose: 'debug',
  debug: 'debug',
  silly: 'debug',
};

/** Where winston keeps a record's level untouched by formats (`colorize()` paints `info.level`). */
const LEVEL = Symbol.for('level');

export interface SessionTransportOptions extends TransportStreamOptions {
  /** The session to feed: a logger of your own, or the options to create one. */
  session: SessionLoggerOptions | SessionLogger;
}

/** A winston transport that feeds a session: `new winston.transports...` next to the console one. */
export class SessionTransport extends Transport {
  readonly logger: SessionLogger;

  constructor(options: SessionTransportOptions) {
    super(options);
    this.logger = options.session instanceof SessionLogger ? options.session : createSessionLogger(options.session);
  }

  override log(info: Record<string, unknown>, callback: () => void): void {
    const name = (info as Record<symbol, unknown>)[LEVEL] ?? info['level'];
    const level: LogLevel = WINSTON_LEVELS[String(name)] ?? 'info';
    this.logger.append({
      level,
      message: messageText(info['message']),
      data: restAsData(info, ['level', 'message', 'timestamp']),
      time: isoTime(info['timestamp']),
    });
    callback();
  }

  override close(): void {
    void this.logger.close().catch(() => undefined);
  }
}
