import { entryFilter, LiveClient, liveUrl, LogFilters, LogFollowHandlers, SessionsClient, shownUrl } from '@zen/client';
import { createNodeLiveClient } from '@zen/client/node';
import type { LogEntry, LogLevel, Session } from '@zen/contract';
import { Connection, connection, GlobalOptions, restClient } from '../connection';
import { describe, UsageError, warn } from '../reporting';
import { exitWhenEchoed } from '../echo';
import { endWhenStdoutCloses } from '../stdout';
import { PrintedLog, printer, reportDropped } from './tail-output';
import { connectionReporter } from './tail-connection-report';
import { LogPoller } from './tail-poller';
import { checkReporter, firstLookup } from './tail-lookup';

interface TailOptions extends GlobalOptions {
  follow?: boolean;
  lines: number;
  cursor?: number;
  level?: LogLevel;
  grep?: string;
  format: 'text' | 'ndjson' | 'json';
}

/** `zen-sessions tail <id>`: the last entries, then (with `--follow`) new ones as they come. */
export async function tailCommand([id]: [string], options: TailOptions): Promise<number> {
  if (options.follow && options.format === 'json') throw new UsageError('--format json cannot be used with --follow');
  endWhenStdoutCloses();
  // Following, SIGINT and SIGTERM end it with exit 0 from the start, not only once it follows: a
  // Ctrl-C while the first read still waits for a slow or silent server is no failure either.
  const stopEarly = () => process.exit(0);
  // `on`, not `once`: with no listener left, Node gives the signal back its default action, and a
  // second one while the process exits (Ctrl-C twice, `timeout` signalling the pid and then its
  // group) would end it with 128 + N.
  if (options.follow) for (const signal of STOP_SIGNALS) process.on(signal, stopEarly);
  const client = restClient(options);
  const filters: LogFilters = { level: options.level, q: options.grep };
  const { entries, cursor, seen } = await initialEntries(client, id, options, filters);
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  const print = printer(options.format);
  print(entries);
  if (!options.follow) return 0;
  // A server away for a moment (a rolling restart, Redis restarting) is ridden out, as after a reconnect.
  const session = await firstLookup(client, id);
  if (endedBefore(session, cursor)) return 0;
  // What the lookup shows of the log counts as seen too, up to the cursor.
  const seenAtStart = Math.max(seen, Math.min(cursor, session.logCursor));
  // Its own handlers are in place (follow installs them at once) before these go: a signal never
  // meets none, whose default action would end it with 128 + N.
  const following = follow(client, session, cursor, seenAtStart, options, print);
  for (const signal of STOP_SIGNALS) process.off(signal, stopEarly);
  return following;
}

/**
 * Whether the session had ended with every entry before `cursor`: then there is nothing to
 * follow, and no WebSocket to open (one a proxy does not pass would keep it trying for good).
 */
function endedBefore(session: Session, cursor: number): boolean {
  return session.status === 'ended' && cursor >= session.logCursor;
}

/** What ends a follow, with exit 0. */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/**
 * What to print first, the cursor that follows on without a gap or a repeat, and how far the
 * reads showed the log to reach (`seen`): the cursor, but for a `--cursor` the log has not
 * reached (read back unchanged, it shows nothing).
 */
async function initialEntries(
  client: SessionsClient,
  id: string,
  options: TailOptions,
  filters: LogFilters,
): Promise<{ entries: LogEntry[]; cursor: number; seen: number }> {
  if (options.cursor !== undefined) {
    const page = await client.logs.readAll(id, { cursor: options.cursor, ...filters });
    if (page.dropped > 0) reportDropped(page.dropped);
    return { ...page, seen: page.cursor > options.cursor ? page.cursor : 0 };
  }
  if (options.lines === Infinity) {
    const read = await client.logs.readAll(id, filters);
    return { ...read, seen: read.cursor };
  }
  const { total, cursor } = await client.logs.page(id, { limit: 0, ...filters });
  if (options.lines === 0 || total === 0) return { entries: [], cursor, seen: cursor };
  // The seq of the first entry to print, then one cursor read from there: no limit is sent,
  // so a server whose MAX_READ_LIMIT is below N serves it too, in three requests whatever N.
  const first = await client.logs.page(id, { offset: Math.max(0, total - options.lines), limit: 1, ...filters });
  // Evictions between the reads can leave that offset past the end: then read all that is held.
  const from = first.entries.length > 0 ? first.entries[0].seq : 0;
  const read = await client.logs.readAll(id, { cursor: from, ...filters });
  // Entries appended meanwhile are in the read: the last N are printed, and its cursor
  // follows on from them without a gap or a repeat.
  return { entries: read.entries.slice(-options.lines), cursor: read.cursor, seen: read.cursor };
}

/**
 * Follows over the WebSocket until the session has ended and every entry up to its end is printed,
 * or SIGINT or SIGTERM (exit 0 either way); the live client reconnects and resumes by itself. The
 * end is told by the follow's `onEnded`, once the live client has seen the session ended in the
 * sessions feed (delta mode, with its final `logCursor`) and every entry up to it arrived; one that
 * had ended with everything printed before the follow began is seen by `endedBefore`. One the
 * server forgets as it ends (SESSIONS_RETAIN_ENDED=0) is never shown ended: the sessions feed names
 * it `removed` instead (`onForgotten`), which is its end too (exit 0), though the server refused the
 * subscription just before (`RefusalWait`). A (re)subscription the server refuses because it has no
 * such session that the feed does not name forgotten (a server without a store restarted) cannot
 * resume from the cursor: one line on stderr and exit 1, never silence.
 * A WebSocket that cannot be opened at all is not met with silence either: one line says so,
 * while it keeps trying, and it reads over HTTP meanwhile (`LogPoller`), printing new entries
 * and ending at the session's end as over the WebSocket. A session created again under the id
 * while it was away is another log (the live client's `sessionLookup` holds what comes after each
 * reconnect until it has checked the session's `created`): the same line and exit 1, with nothing
 * of the new log printed. So is a log that went back (its `logCursor` below what was seen of it: a
 * store restored from an older snapshot, a failover to a replica that lagged), whose next entries
 * take seqs already printed.
 */
async function follow(
  client: SessionsClient,
  session: Session,
  cursor: number,
  seen: number,
  options: TailOptions,
  print: (entries: LogEntry[]) => void,
): Promise<number> {
  const server = connection(options);
  const filters: LogFilters = { level: options.level, q: options.grep };
  const printed = new PrintedLog(cursor, seen, print, entryFilter(options.level, options.grep));
  return new Promise<number>((resolve) => {
    const report = connectionReporter(shownUrl(liveUrl(server.server)));
    const check = checkReporter(client);
    // Told only once the follow runs, when what it closes below is in place.
    const end = new FollowEnd((code) => {
      printed.close();
      refusal.end();
      poller.stop();
      report.end();
      check.end();
      live.close();
      resolve(code);
    });
    const lost = (why: string) => sessionLost(session.id, why, end);
    const refusal = new RefusalWait(lost);
    const endings = followEndings(end, lost);
    const poller = new LogPoller(client, session, filters, printed, {
      ...endings,
      onMissing: lost,
      onProgress: (next) => followLive(next),
    });
    const live = liveClient(server, check, connectionChanges(report, poller, refusal, end));
    // The log was read up to `from` over HTTP: a check finding it shorter (its store went back
    // while the follow's first check was still asking) is told, not waited out in silence. Not
    // for a `--cursor` past what the log was seen to reach: as a cursor-mode read, it waits for
    // the log to get there.
    const followLive = (from: number) =>
      live.followLog(session.id, from, liveLogHandlers(printed, endings, end, refusal), {
        cursorSeen: from <= printed.seen,
      });
    const stop = () => end.finish(0, true);
    for (const signal of STOP_SIGNALS) process.on(signal, stop);
    // The changes only (a baseline, then deltas), not a full list every second: the lists are
    // how the live client learns of the end (onEnded), and the deltas of a session forgotten as
    // it ended (onForgotten).
    live.followSessions((list) => refusal.listed(list.sessions.some((listed) => listed.id === session.id)), 'delta');
    followLive(cursor);
  });
}

/**
 * What a follow does as its WebSocket opens and is lost: says so (`report`), and reads over HTTP
 * while it is away (`poller`), so that a WebSocket that cannot connect is not met with silence.
 */
function connectionChanges(
  report: ReturnType<typeof connectionReporter>,
  poller: LogPoller,
  refusal: RefusalWait,
  end: FollowEnd,
): (state: 'open' | 'lost', detail?: string) => void {
  return (state, detail) => {
    report.onConnection(state, detail);
    // The WebSocket follows on from here: no poll for good (it reconnects by itself).
    if (state === 'open') return poller.stop();
    refusal.connectionLost();
    if (!end.decided) poller.start();
  };
}

/** What the WebSocket's log follow does with what it is told: prints, ends, or waits on a refusal. */
function liveLogHandlers(
  printed: PrintedLog,
  endings: ReturnType<typeof followEndings>,
  end: FollowEnd,
  refusal: RefusalWait,
): LogFollowHandlers {
  return {
    onEntries: (entries, next) => printed.take(entries, next),
    onDropped: (count, at) => printed.gap(count, at.seq),
    ...endings,
    // Forgotten as it ended: what the server sent of it came first, and was printed.
    onForgotten: () => end.finish(0),
    onRefused: (why) => refusal.refused(why),
  };
}

/**
 * The live client of a follow, which says when it cannot connect or check the session (a check
 * unanswered for 10 s: `checkReporter`).
 */
function liveClient(
  server: Connection,
  check: ReturnType<typeof checkReporter>,
  onConnection: (state: 'open' | 'lost', detail?: string) => void,
): LiveClient {
  return createNodeLiveClient({
    ...server,
    onConnection,
    // Entries are held until the session is checked: a check that fails is told, not silence.
    sessionLookup: check.lookup,
    onLookupError: (sessionId, error) =>
      check.failed(
        `cannot check that session ${sessionId} is still the one followed (${describe(error)}); still trying`,
      ),
  });
}

/** Ends a follow whose session the server no longer has with exit 1; only the first reason is told: one line. */
function sessionLost(id: string, why: string, end: FollowEnd): void {
  if (end.decided) return;
  warn(`the server no longer has session ${id} (${why}); following stopped`);
  end.finish(1);
}

/** How the WebSocket and the polls alike end a follow: its session's end, or another log under its id. */
function followEndings(
  end: FollowEnd,
  lost: (why: string) => void,
): Required<Pick<LogFollowHandlers, 'onEnded' | 'onRestarted' | 'onRewound'>> {
  return {
    // Every entry up to the end printed (or told dropped): done, as `kubectl logs -f` returns
    // when its container ends.
    onEnded: () => end.finish(0),
    onRestarted: (created) => lost(`a session created ${created ? `at ${created} ` : ''}has its id now`),
    // Its store came back in an older state: the seqs printed are taken again by other entries.
    onRewound: (logCursor, seen) =>
      lost(`its log went back from ${seen} to ${logCursor} entries: its store came back in an older state`),
  };
}

/**
 * How a follow ends: once, with the code of the first reason (0 for an end or a signal, 1 for a
 * session lost), then the process exits. The signal handlers stay until it exits: a second SIGINT
 * or SIGTERM meanwhile (Ctrl-C pressed twice, `timeout` signalling the process and then its group)
 * is no failure either, where without a handler its default action would end it with 128 + N.
 */
class FollowEnd {
  private code: number | null = null;
  private exiting = false;

  /** `stop` closes what the follow holds open; it is called once, with the code decided. */
  constructor(private readonly stop: (code: number) => void) {}

  /** Whether the code is decided: the follow is over, only the exit is still to come. */
  get decided(): boolean {
    return this.code !== null;
  }

  /** Ends the follow with `code`: at once on a signal, else once what it printed has been taken. */
  finish(code: number, atOnce = false): void {
    // A signal while the output is still being taken (a reader slower than the output): it
    // ends the wait, with the code already decided (0 for an end, 1 for a session lost).
    if (this.code !== null) {
      if (atOnce) this.exitSoon(this.code);
      return;
    }
    this.code = code;
    this.stop(code);
    // Nothing more is waited for: not a session lookup under way (up to 10 s against a server
    // that does not answer), not the close of a WebSocket whose server has gone quiet (the Node
    // live client gives its close frame CLOSE_GRACE_MS, 1 s). SIGINT ends it at once, as Ctrl-C
    // should. The end of the session or its loss waits for what was printed, though: writes to a
    // pipe are asynchronous in Node, and process.exit() drops those a reader slower than the
    // entries (a pager, a busy `| grep`) has not taken yet, the last lines of the log.
    if (atOnce) this.exitSoon(code);
    else exitWhenEchoed(code);
  }

  private exitSoon(code: number): void {
    if (this.exiting) return;
    this.exiting = true;
    setImmediate(() => process.exit(code));
  }
}

/**
 * A refused (re)subscription: the server has no such session. Forgotten as it ended
 * (SESSIONS_RETAIN_ENDED=0), the sessions feed names it `removed` within SESSIONS_WS_DELTA_MS,
 * mostly after the refusal: that is its end (onForgotten, exit 0), so the refusal waits for it up
 * to FORGOTTEN_WAIT_MS. Not listed any more (a server without a store restarted: its baseline
 * lacks it), nothing will: lost, exit 1 at once.
 */
class RefusalWait {
  /** Whether the latest sessions list had the session (a delta that forgets it is to come). */
  private isListed = true;
  private waiting: { why: string; timer: ReturnType<typeof setTimeout> } | null = null;
  private over = false;

  /** `lost` ends the follow with the server's reason, once a refusal is not an end. */
  constructor(private readonly lost: (why: string) => void) {}

  /** What the latest sessions list said: whether it has the session. */
  listed(listed: boolean): void {
    this.isListed = listed;
  }

  /** The server refused the subscription; only the first refusal counts. */
  refused(why: string): void {
    if (this.over || this.waiting) return;
    if (!this.isListed) return this.lost(why);
    this.waiting = { why, timer: setTimeout(() => this.lost(why), FORGOTTEN_WAIT_MS) };
  }

  /**
   * A refusal on a connection since lost: no delta of it will come. The next connection's
   * baseline says whether the session is still listed.
   */
  connectionLost(): void {
    this.isListed = false;
    if (this.waiting) this.lost(this.waiting.why);
  }

  /** The follow is over: nothing more is waited for. */
  end(): void {
    this.over = true;
    if (this.waiting) clearTimeout(this.waiting.timer);
  }
}

/**
 * How long a refused follow waits for the sessions feed to say the server forgot the session (its
 * end, when forgotten as it ended) before it takes it as lost: the feed tells within
 * SESSIONS_WS_DELTA_MS (100 ms by default), on a busy server a little later.
 */
const FORGOTTEN_WAIT_MS = 10_000;
