import type { LogLevel } from './log';

/** Nest's log levels (`LogLevel` of @nestjs/common), named here so that the contract needs no framework. */
export type NestLogLevel = 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';

/**
 * The contract's Nest mapping (API.md, "The server's own session"), for the server's own logger
 * and the client library's Nest adapter alike.
 */
export const NEST_LEVELS: Readonly<Record<NestLogLevel, LogLevel>> = {
  log: 'info',
  warn: 'warn',
  error: 'error',
  fatal: 'error',
  debug: 'debug',
  verbose: 'debug',
};

/**
 * A message as Nest's ConsoleLogger reads it before writing it: a class by its name, another
 * function by what it returns (a lazy message, `logger.debug(() => costly())`, computed only when
 * its level is on), not the function's source. One that throws is written as that, never an
 * exception at the caller.
 */
export function readNestMessage(message: unknown): unknown {
  if (typeof message !== 'function') return message;
  if (Function.prototype.toString.call(message).startsWith('class ')) return message.name;
  try {
    return readNestMessage(message());
  } catch (error) {
    return `(the message's function threw: ${error instanceof Error ? error.message : String(error)})`;
  }
}
