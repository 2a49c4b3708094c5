import Transport, { TransportStreamOptions } from 'winston-transport';
import type { LogLevel } from '@zen/contract';
import { levelOf } from '../logger/level-names';
import type { SessionLogger, SessionLoggerOptions } from '../logger/session-logger';
import { isoTime, LevelMap, messageText, restAsData, sessionLoggerOf } from './adapter-entry';

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
  /**
   * How long winston's `close()` (at `logger.close()` or `end()`) gives the session logger to send
   * what is pending and end the session (ms; default 10,000). Beyond it the process may exit.
   */
  closeTimeoutMs?: number;
}

/** A winston transport that feeds a session: `new winston.transports...` next to the console one. */
export class SessionTransport extends Transport {
  readonly logger: SessionLogger;
  private readonly closeTimeoutMs: number;
  /** Set once `finish` is on its way for winston's exception or rejection handler. */
  private finishing = false;

  constructor(options: SessionTransportOptions) {
    super(options);
    this.logger = sessionLoggerOf(options.session);
    this.closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  }

  override log(info: Record<string, unknown>, callback: () => void): void {
    const name = (info as Record<symbol, unknown>)[LEVEL] ?? info['level'];
    // Custom levels (`{ fatal: 0, …, trace: 6 }`) by their names, as `log()` reads a level.
    const level: LogLevel = Object.hasOwn(WINSTON_LEVELS, String(name)) ? WINSTON_LEVELS[String(name)] : levelOf(name);
    let data = restAsData(info, ['level', 'message', 'timestamp']);
    // `logger.error(err)` hands the Error itself over as the record: its stack is not an own
    // enumerable field, and would be lost (winston's errors() format copies it; so does this).
    if (info instanceof Error && typeof info.stack === 'string' && data?.['stack'] === undefined) {
      data = { ...data, stack: info.stack };
    }
    this.logger.append({ level, message: messageText(info['message']), data, time: isoTime(info['timestamp']) });
    callback();
    if ((this as { _ending?: boolean })._ending === true) this.finishOnceSent();
  }

  /**
   * winston's exception and rejection handlers (`handleExceptions`, `handleRejections`) mark the
   * transport `_ending`, log the crash, and exit once every such transport has emitted `finish`,
   * else after their own 3 s (only their File transport emits it). This one emits it once what
   * is pending, the crash's record included, is sent (or after `closeTimeoutMs`): a crash exits
   * as soon as its lines are in the session. Only when winston exits on it (`exitOnError` true,
   * its default): `finish` unpipes the transport from its logger, and a logger that goes on
   * after a crash (`exitOnError` false, or a function) must keep it.
   */
  private finishOnceSent(): void {
    if (this.finishing) return;
    const parent = (this as { parent?: { exitOnError?: unknown } | null }).parent;
    if (parent && parent.exitOnError !== true) return;
    this.finishing = true;
    void this.logger
      .flush(this.closeTimeoutMs)
      .catch(() => undefined)
      .then(() => this.emit('finish'));
  }

  /**
   * Bounded: winston cannot wait for it, and an unbounded close waiting for a server that is away
   * would hold the process open for good (a close that waits keeps the process alive).
   */
  override close(): void {
    // Called as `finish` unpipes the transport at a crash (above): the process is exiting, and the
    // session is left as any crash leaves it, what is pending sent at the exit, not ended.
    if (this.finishing) return;
    void this.logger.close(this.closeTimeoutMs).catch(() => undefined);
  }
}
