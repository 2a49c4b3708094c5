import { ConsoleLogger, LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import type { LogData, LogLevel } from '@zen/contract';
import { createSessionLogger, SessionLogger, SessionLoggerOptions } from '../logger/session-logger';
import { messageText } from './adapter-entry';

/** The contract's Nest mapping: log→info, warn→warn, error and fatal→error, debug and verbose→debug. */
export const NEST_LEVELS: Record<NestLogLevel, LogLevel> = {
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
  debug: 'debug',
  verbose: 'debug',
};

export interface SessionNestLoggerOptions {
  /** The session to feed: a logger of your own, or the options to create one. */
  session: SessionLoggerOptions | SessionLogger;
  /** Also print to the console as Nest's own logger does (default true). */
  console?: boolean;
}

/**
 * A Nest `LoggerService` that feeds a session, alongside Nest's console output:
 * `NestFactory.create(AppModule, { logger: new SessionNestLogger({...}) })`.
 */
export class SessionNestLogger implements LoggerService {
  readonly logger: SessionLogger;
  private readonly console: ConsoleLogger | null;

  constructor(options: SessionNestLoggerOptions) {
    this.logger = options.session instanceof SessionLogger ? options.session : createSessionLogger(options.session);
    this.console = options.console === false ? null : new ConsoleLogger();
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }

  setLogLevels(levels: NestLogLevel[]): void {
    this.console?.setLogLevels(levels);
  }

  private write(level: NestLogLevel, message: unknown, params: unknown[]): void {
    (this.console?.[level] as ((message: unknown, ...params: unknown[]) => void) | undefined)?.call(
      this.console,
      message,
      ...params,
    );
    this.logger.append({ level: NEST_LEVELS[level], ...entryOf(level, message, params) });
  }
}

/** Nest passes (message, ...params, context?) and, for errors, (message, stack?, context?). */
function entryOf(level: NestLogLevel, message: unknown, params: unknown[]): { message: string; data?: LogData } {
  const rest = [...params];
  const data: LogData = {};
  if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') data['context'] = rest.pop();
  if ((level === 'error' || level === 'fatal') && typeof rest[0] === 'string') data['stack'] = rest.shift();
  if (message instanceof Error) {
    data['stack'] ??= message.stack;
  } else if (message && typeof message === 'object') {
    // A structured record: its fields are data, its `message` (if any) the message.
    const { message: text, ...fields } = message as Record<string, unknown>;
    Object.assign(data, fields);
    return { message: messageText(text === undefined ? fields : text), data: withParams(data, rest) };
  }
  return { message: messageText(message), data: withParams(data, rest) };
}

function withParams(data: LogData, rest: unknown[]): LogData | undefined {
  if (rest.length > 0) data['params'] = rest;
  return Object.keys(data).length > 0 ? data : undefined;
}
