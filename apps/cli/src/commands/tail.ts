import { entryFilter, formatTextLine, liveUrl, LogFilters, ApiError, SessionsClient, shownUrl } from '@zen/client';
import { createNodeLiveClient } from '@zen/client/node';
import type { LogEntry, LogLevel, Session } from '@zen/contract';
import { connection, GlobalOptions, restClient } from '../connection';
import { describe, UsageError, warn } from '../reporting';
import { exitWhenEchoed } from '../echo';
import { endWhenStdoutCloses } from '../stdout';

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
  if (options.follow) for (const signal of STOP_SIGNALS) process.once(signal, stopEarly);
  const client = restClient(options);
  const filters: LogFilters = { level: options.level, q: options.grep };
  const { entries, cursor } = await initialEntries(client, id, options, filters);
  if (options.format === 'json') {
    process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  const print = printer(options.format);
  print(entries);
  if (!options.follow) return 0;
  const session = await client.sessions.get(id);
  if (endedBefore(session, cursor)) return 0;
  // Its own handlers are in place (follow installs them at once) before these go: a signal never
  // meets none, whose default action would end it with 128 + N.
  const following = follow(client, session, cursor, options, print);
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

/** What to print first, and the cursor that follows on without a gap or a repeat. */
async function initialEntries(
  client: SessionsClient,
  id: string,
  options: TailOptions,
  filters: LogFilters,
): Promise<{ entries: LogEntry[]; cursor: number }> {
  if (options.cursor !== undefined) {
    const page = await client.logs.readAll(id, { cursor: options.cursor, ...filters });
    if (page.dropped > 0) reportDropped(page.dropped);
    return page;
  }
  if (options.lines === Infinity) return client.logs.readAll(id, filters);
  const { total, cursor } = await client.logs.page(id, { limit: 0, ...filters });
  if (options.lines === 0 || total === 0) return { entries: [], cursor };
  // The seq of the first entry to print, then one cursor read from there: no limit is sent,
  // so a server whose MAX_READ_LIMIT is below N serves it too, in three requests whatever N.
  const first = await client.logs.page(id, { offset: Math.max(0, total - options.lines), limit: 1, ...filters });
  // Evictions between the reads can leave that offset past the end: then read all that is held.
  const from = first.entries.length > 0 ? first.entries[0].seq : 0;
  const read = await client.logs.readAll(id, { cursor: from, ...filters });
  // Entries appended meanwhile are in the read: the last N are printed, and its cursor
  // follows on from them without a gap or a repeat.
  return { entries: read.entries.slice(-options.lines), cursor: read.cursor };
}

function printer(format: 'text' | 'ndjson'): (entries: LogEntry[]) => void {
  const line = format === 'ndjson' ? (entry: LogEntry) => JSON.stringify(entry) : formatTextLine;
  return (entries) => {
    if (entries.length === 0) return;
    let text = '';
    for (const entry of entries) text += line(entry) + '\n';
    process.stdout.write(text);
  };
}

function reportDropped(count: number): void {
  process.stderr.write(`-- ${count} entries dropped --\n`);
}

/**
 * Follows over the WebSocket until the session has ended and every entry up to its end is printed,
 * or SIGINT or SIGTERM (exit 0 either way); the live client reconnects and resumes by itself. The
 * end is told by the follow's `onEnded`, once the live client has seen the session ended in the
 * sessions feed (delta mode, with its final `logCursor`) and every entry up to it arrived; one that
 * had ended with everything printed before the follow began is seen by `endedBefore`. One the
 * server forgets as it ends (SESSIONS_RETAIN_ENDED=0) is never shown ended: the sessions feed names
 * it `removed` instead (`onForgotten`), which is its end too (exit 0), though the server refused the
 * subscription just before. A (re)subscription the server refuses because it has no such session
 * that the feed does not name forgotten (a server without a store restarted) cannot resume from
 * the cursor: one line on stderr and exit 1, never silence.
 * A WebSocket that cannot be opened at all is not met with silence either: one line says so,
 * while it keeps trying, and it reads over HTTP meanwhile (`startPoller`), printing new entries
 * and ending at the session's end as over the WebSocket. A session created again under the id
 * while it was away is another log (the live client's `sessionLookup` holds what comes after each
 * reconnect until it has checked the session's `created`): the same line and exit 1, with nothing
 * of the new log printed. So is a log that went back (its `logCursor` below what was printed: a store restored from an older
 * snapshot, a failover to a replica that lagged), whose next entries take seqs already printed.
 */
async function follow(
  client: SessionsClient,
  session: Session,
  cursor: number,
  options: TailOptions,
  print: (entries: LogEntry[]) => void,
) {
  const id = session.id;
  const keep = entryFilter(options.level, options.grep);
  const filters: LogFilters = { level: options.level, q: options.grep };
  const server = connection(options);
  return new Promise<number>((resolve) => {
    const connectionReport = connectionReporter(shownUrl(liveUrl(server.server)));
    /** The next seq to print: what the WebSocket and the polls (`startPoller`) bring is printed from here, once. */
    let printed = cursor;
    /** Whether the latest sessions list had the session (a delta that forgets it is to come). */
    let listed = true;
    /** A refusal waiting for the sessions feed to say the server forgot the session (its end). */
    let refusal: { why: string; timer: ReturnType<typeof setTimeout> } | null = null;
    let poller: Poller | null = null;
    /** The WebSocket opened: no more polls. */
    let pollingDone = false;
    let finished: number | null = null;
    let exiting = false;
    const onConnection = (state: 'open' | 'lost', detail?: string) => {
      connectionReport.onConnection(state, detail);
      if (state === 'open') {
        poller?.stop();
        // The WebSocket follows on from here: no poll for good (it reconnects by itself).
        poller = null;
        pollingDone = true;
      } else {
        // A refusal on a connection since lost: no delta of it will come. The next connection's
        // baseline says whether the session is still listed.
        listed = false;
        if (refusal) stopped(refusal.why);
        if (!pollingDone && finished === null) (poller ??= startPoller()).start();
      }
    };
    const live = createNodeLiveClient({
      ...server,
      onConnection,
      // Entries are held until the session is checked: a check that fails is told, not silence.
      sessionLookup: client,
      onLookupError: (sessionId, error) =>
        warn(`cannot check that session ${sessionId} is still the one followed (${describe(error)}); still trying`),
    });
    const exitSoon = (code: number) => {
      if (exiting) return;
      exiting = true;
      setImmediate(() => process.exit(code));
    };
    /** Ends the follow with `code`: at once on a signal, else once what it printed has been taken. */
    const finish = (code: number, atOnce = false) => {
      // A signal while the output is still being taken (a reader slower than the output): it
      // ends the wait, with the code already decided (0 for an end, 1 for a session lost).
      if (finished !== null) {
        if (atOnce) exitSoon(finished);
        return;
      }
      finished = code;
      if (refusal) clearTimeout(refusal.timer);
      poller?.stop();
      // The signal handlers stay until it exits: a second SIGINT or SIGTERM meanwhile (Ctrl-C
      // pressed twice, `timeout` signalling the process and then its group) is no failure either,
      // where without a handler its default action would end it with 128 + N.
      connectionReport.end();
      live.close();
      resolve(code);
      // Nothing more is waited for: not a session lookup under way (up to 10 s against a server
      // that does not answer), not the close of a WebSocket whose server has gone quiet (the Node
      // live client gives its close frame CLOSE_GRACE_MS, 1 s). SIGINT ends it at once, as Ctrl-C
      // should. The end of the session or its loss waits for what was printed, though: writes to a
      // pipe are asynchronous in Node, and process.exit() drops those a reader slower than the
      // entries (a pager, a busy `| grep`) has not taken yet, the last lines of the log.
      if (atOnce) exitSoon(code);
      else exitWhenEchoed(code);
    };
    const stop = () => finish(0, true);
    // Only the first reason is told: one line.
    const stopped = (why: string) => {
      if (finished !== null) return;
      warn(`the server no longer has session ${id} (${why}); following stopped`);
      finish(1);
    };
    /**
     * The server refused the subscription: it has no such session. Forgotten as it ended
     * (SESSIONS_RETAIN_ENDED=0), the sessions feed names it `removed` within SESSIONS_WS_DELTA_MS,
     * mostly after the refusal: that is its end (onForgotten, exit 0). Not listed any more (a
     * server without a store restarted: its baseline lacks it), nothing will: lost, exit 1 at once.
     */
    const refused = (why: string) => {
      if (finished !== null || refusal) return;
      if (!listed) return stopped(why);
      refusal = { why, timer: setTimeout(() => stopped(why), FORGOTTEN_WAIT_MS) };
    };
    /** Entries from the WebSocket or a poll: those from `printed` on, once. */
    const take = (entries: LogEntry[], next: number) => {
      if (finished !== null) return;
      print(entries.filter((entry) => entry.seq >= printed && keep(entry)));
      printed = Math.max(printed, next);
    };
    /** A gap ending at `at`: the part of it past what was printed, once. */
    const gap = (count: number, at: number) => {
      if (finished !== null) return;
      const news = Math.min(count, at - printed);
      if (news > 0) reportDropped(news);
      printed = Math.max(printed, at);
    };
    for (const signal of STOP_SIGNALS) process.on(signal, stop);
    // The changes only (a baseline, then deltas), not a full list every second: the lists are
    // how the live client learns of the end (onEnded), and the deltas of a session forgotten as
    // it ended (onForgotten).
    live.followSessions((list) => (listed = list.sessions.some((listedSession) => listedSession.id === id)), 'delta');
    const followLive = (from: number) =>
      live.followLog(id, from, {
        onEntries: (entries, next) => take(entries, next),
        onDropped: (count, at) => gap(count, at.seq),
        // Every entry up to the end printed (or told dropped): done, as `kubectl logs -f` returns
        // when its container ends.
        onEnded: () => finish(0),
        // Forgotten as it ended: what the server sent of it came first, and was printed.
        onForgotten: () => finish(0),
        onRefused: refused,
        onRestarted: (created) => stopped(`a session created ${created ? `at ${created} ` : ''}has its id now`),
        // Its store came back in an older state: the seqs printed are taken again by other entries.
        onRewound: (logCursor, seen) =>
          stopped(`its log went back from ${seen} to ${logCursor} entries: its store came back in an older state`),
      });
    followLive(cursor);
    /**
     * While the WebSocket has never opened (a proxy that does not pass the upgrade), the follow
     * reads over HTTP every POLL_MS: the session, then its log from `printed`. It prints what is
     * new, and ends as over the WebSocket: at the session's end once every entry up to it is printed
     * (exit 0), or with exit 1 when the server no longer has the session, has another one under its
     * id, or a log that went back. A poll that fails is tried again at the next (the WebSocket's
     * line tells that the server cannot be reached). Once the WebSocket opens, it follows on from
     * where the polls got to.
     */
    function startPoller(): Poller {
      let timer: ReturnType<typeof setTimeout> | null = null;
      let running = false;
      const active = () => finished === null && poller !== null && !pollingDone;
      const tick = async () => {
        timer = null;
        try {
          const now = await client.sessions.get(id);
          if (!active()) return;
          if (now.created !== session.created) return stopped(`a session created at ${now.created} has its id now`);
          if (now.logCursor < printed) {
            return stopped(
              `its log went back from ${printed} to ${now.logCursor} entries: its store came back in an older state`,
            );
          }
          const page = await client.logs.readAll(id, { cursor: printed, ...filters });
          if (!active()) return;
          const from = printed;
          gap(page.dropped, from + page.dropped);
          take(page.entries, page.cursor);
          // Where the WebSocket resumes once it opens.
          if (printed > from) followLive(printed);
          if (now.status === 'ended' && printed >= now.logCursor) return finish(0);
        } catch (error) {
          if (error instanceof ApiError && error.status === 404 && active()) return stopped(describe(error));
        }
        if (active()) timer = setTimeout(() => void tick(), POLL_MS);
      };
      return {
        start: () => {
          if (running) return;
          running = true;
          void tick();
        },
        stop: () => {
          running = false;
          if (timer) clearTimeout(timer);
          timer = null;
        },
      };
    }
  });
}

interface Poller {
  start(): void;
  stop(): void;
}

/** How often `tail -f` reads over HTTP while its WebSocket has never opened. */
const POLL_MS = 1_000;

/**
 * How long a refused follow waits for the sessions feed to say the server forgot the session (its
 * end, when forgotten as it ended) before it takes it as lost: the feed tells within
 * SESSIONS_WS_DELTA_MS (100 ms by default), on a busy server a little later.
 */
const FORGOTTEN_WAIT_MS = 10_000;

/** How long a lost connection is ridden out silently before one line says it still is lost. */
const LOST_QUIET_MS = 10_000;

/**
 * One line when live updates cannot connect before they ever did (a proxy that does not pass
 * WebSocket upgrades on would otherwise leave `tail -f` silent for good). A connection lost once it
 * was open is ridden out silently for LOST_QUIET_MS, the time a request waits for an answer; lost
 * longer (a server down or that takes connections and never answers), one line says so, once per
 * loss. Retries say nothing more; it resumes from its cursor once it connects.
 */
function connectionReporter(url: string): {
  onConnection: (state: 'open' | 'lost', detail?: string) => void;
  end: () => void;
} {
  let heard = false;
  let opened = false;
  let lostTimer: ReturnType<typeof setTimeout> | null = null;
  let lastDetail = '';
  const end = () => {
    if (lostTimer) clearTimeout(lostTimer);
    lostTimer = null;
  };
  const onConnection = (state: 'open' | 'lost', detail?: string) => {
    lastDetail = detail ?? lastDetail;
    if (state === 'open') {
      opened = true;
      end();
    } else if (!heard) {
      warn(`live updates cannot connect to ${url} (${detail}); still trying`);
    } else if (opened) {
      const lost = () =>
        `live updates lost: cannot reconnect to ${url} for ${LOST_QUIET_MS / 1000} s (${lastDetail}); still trying`;
      lostTimer ??= setTimeout(() => warn(lost()), LOST_QUIET_MS);
    }
    heard = true;
  };
  return { onConnection, end };
}
