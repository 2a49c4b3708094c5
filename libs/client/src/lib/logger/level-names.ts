import { LOG_LEVELS, type LogLevel } from '@zen/contract';

/** The contract's four levels. */
export const LEVELS: ReadonlySet<unknown> = new Set(LOG_LEVELS);
/** Other loggers' level names, lower-cased, onto the contract's four. */
const LEVEL_NAMES: Readonly<Record<string, LogLevel>> = {
  trace: 'debug',
  verbose: 'debug',
  silly: 'debug',
  warning: 'warn',
  fatal: 'error',
  critical: 'error',
  crit: 'error',
  alert: 'error',
  emerg: 'error',
  emergency: 'error',
};

/**
 * A level that is not one of the four (plain JavaScript: `'WARN'`, `'fatal'`) would have the entry
 * refused with 400 and dropped: read as the nearest of the four, else `info`.
 */
export function levelOf(level: unknown): LogLevel {
  const name = typeof level === 'string' ? level.toLowerCase() : '';
  if (LEVELS.has(name)) return name as LogLevel;
  return Object.hasOwn(LEVEL_NAMES, name) ? LEVEL_NAMES[name] : 'info';
}
