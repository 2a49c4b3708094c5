import { EntryBatch, StoreUnavailableError } from '@zen/log-store';
import { AppConfig } from '../config/app-config';
import { LogsService } from '../logs/logs.service';
import { SessionsService } from '../sessions/sessions.service';
import { ServerLogger } from './server-logger';

/**
 * What the server logs while it cannot append (no server session yet, or a shared store away) is
 * held, at most MAX_HELD_SERVER_LOG_MESSAGES (10,000 by default); the newest beyond are counted and
 * reported by one line once the rest are in (README: "up to MAX_HELD_SERVER_LOG_MESSAGES lines, in order").
 */
describe('ServerLogger (messages held while they cannot be appended)', () => {
  const HELD = 10_000;
  let sessions: { serverSessionId: string; logServerStopping: () => Promise<boolean> };
  let appended: EntryBatch[];
  let refusals: number;
  let logger: ServerLogger;

  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    sessions = { serverSessionId: '', logServerStopping: async () => false };
    appended = [];
    refusals = 0;
    logger = loggerHolding(new AppConfig().maxHeldServerLogMessages);
  });

  function loggerHolding(held: number): ServerLogger {
    const logs = {
      append: async (_id: string, batch: EntryBatch) => {
        if (refusals > 0) {
          refusals--;
          throw new StoreUnavailableError('the session store (Redis at test) is unavailable');
        }
        appended.push(batch);
      },
    };
    const config = new AppConfig({ maxHeldServerLogMessages: held });
    return new ServerLogger(sessions as unknown as SessionsService, logs as unknown as LogsService, config);
  }

  afterEach(async () => {
    await logger.onApplicationShutdown();
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  /** Lets the logger's retry timers run until `done` holds (each retry is 1 s away). */
  async function until(done: () => boolean): Promise<void> {
    for (let i = 0; i < 20 && !done(); i++) {
      await jest.advanceTimersByTimeAsync(1_000);
      await logger.settled();
    }
    expect(done()).toBe(true);
  }

  function logMany(count: number): void {
    for (let i = 0; i < count; i++) logger.log(`line ${i}`, 'Probe');
  }

  const messages = () => appended.flatMap((batch) => batch.messages);

  it('holds 10,000 messages, in order, and reports the newest beyond them', async () => {
    logMany(HELD + 5);
    sessions.serverSessionId = 'abcdefabcdefabcdefabcdef';
    await until(() => messages().length > 0);
    const all = messages();
    expect(all).toHaveLength(HELD + 1);
    expect(all.slice(0, HELD)).toEqual(Array.from({ length: HELD }, (_, i) => `line ${i}`));
    expect(all[HELD]).toBe(
      '5 server log messages were dropped while they could not be appended (at most 10000 are held)',
    );
  });

  it('keeps the count of dropped messages when the batch reporting it is refused and held again', async () => {
    logMany(HELD + 5);
    sessions.serverSessionId = 'abcdefabcdefabcdefabcdef';
    refusals = 1;
    await until(() => messages().length > 0);
    const all = messages();
    expect(all.slice(0, HELD)).toEqual(Array.from({ length: HELD }, (_, i) => `line ${i}`));
    // 10,005 logged, 10,000 in the log: the line at the end says 5, not 1 (itself, dropped when held again).
    expect(all.slice(HELD)).toEqual([
      '5 server log messages were dropped while they could not be appended (at most 10000 are held)',
    ]);
  });

  it('holds as many as MAX_HELD_SERVER_LOG_MESSAGES says, and counts the rest', async () => {
    for (const held of [3, 1]) {
      await logger.onApplicationShutdown();
      appended = [];
      sessions.serverSessionId = '';
      logger = loggerHolding(held);
      logMany(5);
      sessions.serverSessionId = 'abcdefabcdefabcdefabcdef';
      await until(() => messages().length > 0);
      expect(messages()).toEqual([
        ...Array.from({ length: held }, (_, i) => `line ${i}`),
        `${5 - held} server log messages were dropped while they could not be appended (at most ${held} are held)`,
      ]);
    }
  });
});
