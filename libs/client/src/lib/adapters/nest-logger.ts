import { inspect } from 'node:util';
import { ConsoleLogger, ConsoleLoggerOptions, LoggerService, LogLevel as NestLogLevel } from '@nestjs/common';
import { NEST_LEVELS, readNestMessage, type LogData } from '@zen/contract';
import type { SessionLogger, SessionLoggerOptions } from '../logger/session-logger';
import { messageText, sessionLoggerOf } from './adapter-entry';

export interface SessionNestLoggerOptions {
  /** The session to feed: a logger of your own, or the options to create one. */
  session: SessionLoggerOptions | SessionLogger;
  /**
   * Also print to the console as Nest's own logger does (default true); or the options of that
   * console output, Nest's `ConsoleLoggerOptions` (`{ json: true }`, `timestamp`, `prefix`,
   * `colors`, ...), given to the ConsoleLogger that prints it. Their `context` is the session's
   * context too where a call gives none; their `logLevels` are the option below.
   */
  console?: boolean | ConsoleLoggerOptions;
  /**
   * The levels written, to the session and the console alike (default: all); `setLogLevels`
   * changes them. Taken before the console options' `logLevels`.
   */
  logLevels?: NestLogLevel[];
}

/**
 * A Nest `LoggerService` that feeds a session, alongside Nest's console output:
 * `NestFactory.create(AppModule, { logger: new SessionNestLogger({...}) })`.
 */
export class SessionNestLogger implements LoggerService {
  readonly logger: SessionLogger;
  /** Nest's console logger, kept even when it does not print: it holds the levels, with Nest's rules. */
  private readonly console: ConsoleLogger;
  private readonly print: boolean;
  /** The console options' context: what the console prints, and the session is given, when a call names none. */
  private readonly context: string | undefined;

  constructor(options: SessionNestLoggerOptions) {
    this.logger = sessionLoggerOf(options.session);
    // A copy: the ConsoleLogger fills in its defaults in the object it is given.
    const consoleOptions: ConsoleLoggerOptions = typeof options.console === 'object' ? { ...options.console } : {};
    consoleOptions.logLevels = options.logLevels ?? consoleOptions.logLevels;
    this.console = new ConsoleLogger(consoleOptions);
    this.context = consoleOptions.context || undefined;
    this.print = options.console !== false;
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

  /** The session gets the levels the console shows, as a Nest app that lowers its log level expects. */
  setLogLevels(levels: NestLogLevel[]): void {
    this.console.setLogLevels(levels);
  }

  private write(level: NestLogLevel, message: unknown, params: unknown[]): void {
    if (!this.console.isLevelEnabled(level)) return;
    // Read once, for the console and the session alike: a lazy message is computed once.
    const read = readNestMessage(message);
    if (this.print) this.console[level](read, ...params);
    this.logger.append({ level: NEST_LEVELS[level], ...entryOf(level, read, params, this.context) });
  }
}

/** Nest's ConsoleLogger's test of `error(message, second)`: a stack trace, or else a context. */
const STACK_FORMAT = /^(.)+\n\s+at .+:\d+:\d+/;

/**
 * Nest passes (message, ...params, context?) and, for errors, (message, stack?, context?): its
 * `Logger` fills a stack it was not given with undefined (`error(msg)` arrives as
 * `(msg, undefined, context)`), which its ConsoleLogger takes as no stack, and so does this.
 * With one param alone (`error(msg, err.stack)` on this logger, or from a `Logger` without a
 * context), a stack trace is the stack, as the ConsoleLogger reads it, not the context.
 */
function entryOf(
  level: NestLogLevel,
  message: unknown,
  params: unknown[],
  context: string | undefined,
): { message: string; data?: LogData } {
  const rest = [...params];
  const data: LogData = {};
  const stackAlone = rest.length === 1 && typeof rest[0] === 'string' && STACK_FORMAT.test(rest[0]);
  if (stackAlone && (level === 'error' || level === 'fatal')) data['stack'] = rest.pop();
  else if (rest.length > 0 && typeof rest[rest.length - 1] === 'string') data['context'] = rest.pop();
  // As the ConsoleLogger prints it: its own context where the call names none.
  if (context !== undefined && data['context'] === undefined) data['context'] = context;
  if (level === 'error' || level === 'fatal') {
    if (typeof rest[0] === 'string') data['stack'] = rest.shift();
    else if (rest.length > 0 && rest[0] === undefined) rest.shift();
  }
  if (message instanceof Error) {
    data['stack'] ??= message.stack;
    // Its own fields (a code, an HttpException's status and response) and its cause are data too,
    // written as an Error anywhere in data is (pino's err); the context and a given stack come first.
    let fields: Record<string, unknown> = {};
    try {
      fields = { ...message };
      if (message.cause !== undefined) fields['cause'] = message.cause;
    } catch {
      // A getter that throws: the stack alone, never an exception at the caller.
    }
    for (const key of Object.keys(fields)) if (key !== 'message' && !(key in data)) data[key] = fields[key];
  } else if (message && typeof message === 'object') {
    // A structured record: its fields are data, its `message` (if any) the message.
    let text: unknown;
    let fields: Record<string, unknown>;
    try {
      ({ message: text, ...fields } = message as Record<string, unknown>);
    } catch {
      // A getter that throws: the record as log() writes such a message, never an exception here.
      return { message: messageText(message), data: withParams(data, rest) };
    }
    // An object with nothing of its own to say (a Date, a Map) is written as the console shows it.
    if (text === undefined && Object.keys(fields).length === 0 && !isPlainObject(message)) {
      return { message: inspect(message, { breakLength: Infinity }), data: withParams(data, rest) };
    }
    Object.assign(data, fields);
    return { message: messageText(text === undefined ? fields : text), data: withParams(data, rest) };
  }
  return { message: messageText(message), data: withParams(data, rest) };
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function withParams(data: LogData, rest: unknown[]): LogData | undefined {
  if (rest.length > 0) data['params'] = rest;
  return Object.keys(data).length > 0 ? data : undefined;
}
