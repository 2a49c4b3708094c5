import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { formatSubscribeLogRefusal, subscriptionLimitWhy } from '@zen/contract';
import {
  CursorSlice,
  EncodedReads,
  hasEncodedReads,
  LogNotFoundError,
  LogStore,
  SessionRegistry,
  Unsubscribe,
} from '@zen/log-store';
// Resolves on the next turn of the event loop, after pending I/O (other requests, client frames).
import { setImmediate as nextTurn } from 'node:timers/promises';
import WebSocket from 'ws';
import { AppConfig } from '../config/app-config';
import { encodedLogFrame, errorFrame, logFrameWithin } from './live-frames';
import { send } from './live-ws.adapter';
import { WsQueue } from './ws-queue';

/**
 * Bytes of `log` frames sent to one client before the server takes its next turn (at least one
 * frame): a megabyte takes a few milliseconds to build and write, and waiting for the next turn
 * costs less than a millisecond, so a fast client still gets hundreds of megabytes a second.
 */
const TURN_BYTES = 1024 * 1024;

/**
 * The close code of a connection that followed a log its store lost the end of: "Service Restart"
 * (RFC 6455 registry), which every client takes as "reconnect", and on reconnecting each checks
 * the log's `logCursor` against what it has seen (see wentBack).
 */
export const LOG_WENT_BACK_CLOSE = 1012;

/** The close reason of LOG_WENT_BACK_CLOSE (at most 123 bytes: a 24-character id and two counts fit). */
export function logWentBackReason(sessionId: string, logCursor: number, sent: number): string {
  return `the log of session ${sessionId} went back to ${logCursor} from ${sent}: reconnect`;
}

/** One client following one session's log: the next `seq` it has not been sent. */
interface Follow {
  readonly client: WebSocket;
  readonly sessionId: string;
  cursor: number;
  /**
   * The followed session's `created`, which tells it from a session created again under its id
   * after Redis lost it. Null for a follow taken while the store could not say whether the
   * session exists (Redis unreachable): it is looked up before anything is sent (check), and
   * the follow is refused if there is none.
   */
  created: number | null;
  /**
   * Looked up again before anything more is sent: the store's feed was lost meanwhile
   * (rereadAll). Kept on the follow, not per session, so it goes when the follow does.
   */
  recheck: boolean;
}

/** A frame shared by every follower that stood at the same cursor, encoded once. */
interface Chunk {
  frame: Buffer;
  next: number;
  /** Whether the chunk carried anything (entries or a dropped count). */
  news: boolean;
  full: boolean;
}

/**
 * The `subscribe-log` subscriptions and their delivery. Appends are coalesced per
 * session and flushed once per turn of the event loop; followers at the same cursor
 * share one serialised frame. A client whose socket has more than
 * WS_MAX_BUFFERED_BYTES queued (or while all clients together have more than
 * WS_MAX_TOTAL_BUFFERED_BYTES: WsQueue) is skipped and keeps its cursor; when it catches up,
 * what was evicted meanwhile arrives as `dropped`. So a slow client costs the server
 * at most that many bytes, never a growing queue.
 *
 * A store that fails (Redis unreachable) leaves every follower at its cursor, and the
 * session is read again on the next tick (retryLagging) until the store answers. A
 * `subscribe-log` the store could not look up rides on the same retries (followUnchecked).
 */
@Injectable()
export class LogFollowers implements OnModuleDestroy {
  private readonly bySession = new Map<string, Set<Follow>>();
  private readonly byClient = new Map<WebSocket, Map<string, Follow>>();
  /** Sessions to flush on the next turn. */
  private readonly due = new Set<string>();
  /** Sessions with a follower that was skipped for being slow. */
  private readonly lagging = new Set<string>();
  private readonly flushing = new Set<string>();
  private readonly flushAgain = new Set<string>();
  private flushScheduled = false;
  /** Per client, its unchecked follows (at most uncheckedLimit). */
  private readonly uncheckedByClient = new Map<WebSocket, number>();
  private readonly stopFeeds: Unsubscribe[];

  constructor(
    private readonly config: AppConfig,
    private readonly logs: LogStore,
    private readonly registry: SessionRegistry,
    private readonly queue: WsQueue,
  ) {
    this.stopFeeds = [
      logs.onAppended((sessionId) => this.schedule(sessionId)),
      registry.onChanged((change) => {
        if (change.kind === 'removed') this.forget(change.id);
      }),
      logs.onResynced(() => this.rereadAll()),
    ];
  }

  onModuleDestroy(): void {
    for (const stop of this.stopFeeds) stop();
  }

  /**
   * Looks every followed session up again once the store's feed is back: one Redis lost
   * meanwhile (restarted without persistence) is refused as `not found`, and so is one
   * created again under its id (a new `created`) before this replica was back. Left waiting,
   * the follow kept its old cursor and sent the new session's log from there on, silently
   * missing the entries before it. A follow past its log's end (Redis came back older) has its
   * connection closed (wentBack).
   */
  private rereadAll(): void {
    for (const [sessionId, followers] of this.bySession) {
      for (const follow of followers) follow.recheck = true;
      this.schedule(sessionId);
    }
  }

  /** Follows `sessionId` (created at `created`) from `cursor`, replacing an earlier subscription of the client. */
  follow(client: WebSocket, sessionId: string, created: number, cursor: number): void {
    this.add(client, sessionId, cursor, created);
  }

  /**
   * The same for a `subscribe-log` whose session the store could not look up (Redis
   * unreachable). It is kept, and retried with the other followers of the session until the
   * store answers: then the session is looked up, as subscribe-log does; if it exists the
   * client gets everything from `cursor` like any follower, if not the `… not found`
   * refusal, and the follow is dropped. False, and nothing kept, when the client already has
   * uncheckedLimit such follows of other sessions: a client sending made-up ids during an
   * outage would otherwise grow the server without bound.
   */
  followUnchecked(client: WebSocket, sessionId: string, cursor: number): boolean {
    const replacing = this.byClient.get(client)?.get(sessionId)?.created === null;
    if (!replacing && (this.uncheckedByClient.get(client) ?? 0) >= this.uncheckedLimit()) return false;
    this.add(client, sessionId, cursor, null);
    return true;
  }

  /**
   * Why the client may not follow `sessionId` now, or undefined: it follows WS_MAX_SUBSCRIPTIONS
   * other sessions already (a `subscribe-log` of one it follows replaces that one, and passes).
   */
  subscriptionProblem(client: WebSocket, sessionId: string): string | undefined {
    const follows = this.byClient.get(client);
    const most = this.config.wsMaxSubscriptions;
    if (!follows || follows.size < most || follows.has(sessionId)) return undefined;
    return subscriptionLimitWhy(follows.size, most);
  }

  /** No more unchecked follows per client than sessions can exist (active ones and the ended ones retained). */
  uncheckedLimit(): number {
    return this.config.maxSessions + this.config.retainEnded;
  }

  private add(client: WebSocket, sessionId: string, cursor: number, created: number | null): void {
    this.unfollow(client, sessionId);
    // A lookup that finished after its client went away: disconnect() has already forgotten it.
    if (client.readyState !== WebSocket.OPEN) return;
    const follow: Follow = { client, sessionId, cursor, created, recheck: false };
    if (created === null) this.countUnchecked(client, 1);
    let followers = this.bySession.get(sessionId);
    if (!followers) this.bySession.set(sessionId, (followers = new Set()));
    followers.add(follow);
    let follows = this.byClient.get(client);
    if (!follows) this.byClient.set(client, (follows = new Map()));
    follows.set(sessionId, follow);
    this.schedule(sessionId);
  }

  unfollow(client: WebSocket, sessionId: string): void {
    const follow = this.byClient.get(client)?.get(sessionId);
    if (!follow) return;
    this.byClient.get(client)?.delete(sessionId);
    if (follow.created === null) this.countUnchecked(client, -1);
    const followers = this.bySession.get(sessionId);
    followers?.delete(follow);
    if (followers?.size === 0) this.bySession.delete(sessionId);
  }

  /**
   * Drops every follower of a session the registry forgot (retention): nothing more will
   * come, and each is told so as subscribe-log refuses an unknown session, so that a
   * follower (`tail --follow`, the dashboard) stops instead of waiting for ever.
   */
  private forget(sessionId: string): void {
    for (const follow of [...(this.bySession.get(sessionId) ?? [])]) this.refuse(follow);
  }

  /**
   * Ends a follow and tells its client, even one that is behind (sendError would skip it): the
   * follow is gone, so nothing later would tell it again, and it would wait for ever. At most
   * one such frame per subscription the client had.
   */
  private refuse(follow: Follow): void {
    this.unfollow(follow.client, follow.sessionId);
    const refusal = formatSubscribeLogRefusal({ id: follow.sessionId, reason: 'not found' });
    send(follow.client, errorFrame(refusal));
  }

  /**
   * Closes the connection of a follow whose cursor is past its log's end once the feed is back:
   * the store went back under this replica (Redis restarted from an older snapshot or append-only
   * file, or one that lost its last second), so it will number its next entries with seqs this
   * client was already sent, and the follow would wait in silence until the log passed its cursor,
   * then skip what came before. Only the client knows what it has seen, and every client (the
   * library's LiveClient, hence the dashboard and `tail --follow`) checks each followed log's
   * `logCursor` against it on reconnecting: so it is made to reconnect, with a code it takes as
   * such, rather than told something new. Its other follows resume from their cursors.
   */
  private wentBack(follow: Follow, logCursor: number): void {
    const { client, sessionId, cursor } = follow;
    this.disconnect(client);
    client.close(LOG_WENT_BACK_CLOSE, logWentBackReason(sessionId, logCursor, cursor));
  }

  private countUnchecked(client: WebSocket, delta: number): void {
    const count = (this.uncheckedByClient.get(client) ?? 0) + delta;
    if (count > 0) this.uncheckedByClient.set(client, count);
    else this.uncheckedByClient.delete(client);
  }

  /** Forgets every subscription of a client that went away. */
  disconnect(client: WebSocket): void {
    for (const sessionId of [...(this.byClient.get(client)?.keys() ?? [])]) this.unfollow(client, sessionId);
    this.byClient.delete(client);
    this.uncheckedByClient.delete(client);
  }

  subscriptionCount(): number {
    let count = 0;
    for (const followers of this.bySession.values()) count += followers.size;
    return count;
  }

  /** Retries the followers that were skipped for being slow (called periodically). */
  retryLagging(): void {
    for (const sessionId of this.lagging) this.schedule(sessionId);
    this.lagging.clear();
  }

  private schedule(sessionId: string): void {
    if (!this.bySession.has(sessionId)) return;
    this.due.add(sessionId);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushDue());
  }

  private flushDue(): void {
    this.flushScheduled = false;
    const due = [...this.due];
    this.due.clear();
    for (const sessionId of due) this.flush(sessionId);
  }

  /** One flush per session at a time; a flush asked for meanwhile runs once after it. */
  private flush(sessionId: string): void {
    if (this.flushing.has(sessionId)) {
      this.flushAgain.add(sessionId);
      return;
    }
    this.flushing.add(sessionId);
    void this.deliver(sessionId).finally(() => {
      this.flushing.delete(sessionId);
      if (this.flushAgain.delete(sessionId)) this.flush(sessionId);
    });
  }

  private async deliver(sessionId: string): Promise<void> {
    try {
      await this.check(sessionId);
      await this.deliverChunks(sessionId);
    } catch (error) {
      if (error instanceof LogNotFoundError) {
        this.forget(sessionId);
      } else {
        // The store failed (a shared one unreachable): followers keep their cursors; retried on the next tick.
        this.lagging.add(sessionId);
      }
    }
  }

  /**
   * Looks up the session of its unchecked follows, as subscribe-log does, and of every follow
   * once the feed was lost (rereadAll): a follow whose session is gone, or is another one
   * created under its id, is refused; an unchecked one becomes a follower like the others. A
   * store that still fails throws, and deliver retries on the next tick.
   */
  private async check(sessionId: string): Promise<void> {
    const followers = [...(this.bySession.get(sessionId) ?? [])];
    const checked = followers.filter((follow) => follow.created === null || follow.recheck);
    if (checked.length === 0) return;
    // Unmarked before the lookup: a feed lost again while it is out marks them for the next one.
    const again = new Set(checked.filter((follow) => follow.recheck));
    for (const follow of again) follow.recheck = false;
    let found;
    try {
      found = await this.registry.get(sessionId);
    } catch (error) {
      for (const follow of again) follow.recheck = true;
      throw error;
    }
    for (const follow of checked) {
      if (!this.isCurrent(follow)) continue;
      if (!found || (follow.created !== null && follow.created !== found.created)) {
        this.refuse(follow);
      } else if (again.has(follow) && follow.cursor > found.log.logCursor) {
        this.wentBack(follow, found.log.logCursor);
      } else if (follow.created === null) {
        follow.created = found.created;
        this.countUnchecked(follow.client, -1);
      }
    }
  }

  private async deliverChunks(sessionId: string): Promise<void> {
    const followers = this.bySession.get(sessionId);
    if (!followers) return;
    const { chunkAt, forgetRead } = this.chunkReader(sessionId);
    for (const follow of [...followers]) {
      // The read a cut frame left over serves this follower's next frames only: kept for the
      // whole flush, followers at cursors of their own held one read each at once (60 of them
      // behind in a log of 60 KB lines: +1 GB; apps/api-reliability consumers.e2e.spec.ts).
      forgetRead();
      // One taken while this flush ran waits for the next, which checks it first.
      if (follow.created === null) continue;
      // Bytes sent to this client in this turn. A client that reads as fast as the kernel takes
      // frames never fills its queue, so without a turn's budget a backlog of a hundred
      // megabytes went out in one turn: the server answered no one meanwhile, and an
      // unsubscribe-log or a new subscribe-log sent after its first frame came too late.
      let sent = 0;
      for (;;) {
        if (sent >= TURN_BYTES) {
          // The rest after the server has read what came in; the reads above are kept for it.
          await nextTurn();
          sent = 0;
        }
        if (!this.isCurrent(follow) || follow.client.readyState !== WebSocket.OPEN) break;
        // Behind: its queue, or all clients' together, is past its bound (WsQueue).
        if (!this.queue.writable(follow.client)) {
          this.lagging.add(sessionId);
          break;
        }
        const chunk = await chunkAt(follow.cursor);
        if (!chunk.news || !this.isCurrent(follow)) break;
        // A frame that fills the client's budget: the rest goes once it is written out, not on the next tick.
        const filling = follow.client.bufferedAmount + chunk.frame.length > this.config.wsMaxBufferedBytes;
        this.queue.send(follow.client, chunk.frame, filling ? () => this.schedule(sessionId) : undefined);
        follow.cursor = chunk.next;
        sent += chunk.frame.length;
        if (!chunk.full) break;
      }
    }
  }

  /**
   * The chunks of one flush of the session's log, by cursor: each encoded once, for every
   * follower that stands at its cursor. What is left of a read whose frame was cut is kept for
   * the next frame of the same follower only (forgetRead between followers); another follower
   * that reaches that cursor first, in the same flush, reads it again.
   */
  private chunkReader(sessionId: string): { chunkAt: (cursor: number) => Promise<Chunk>; forgetRead: () => void } {
    const chunks = new Map<number, Chunk>();
    // The last read whose frame was cut at the byte budget, kept for the frames after it: read once.
    let rest: { slice: CursorSlice; from: number; at: number } | null = null;
    const forgetRead = () => (rest = null);
    const encoded = hasEncodedReads(this.logs) ? this.logs : null;
    const chunkAt = async (cursor: number): Promise<Chunk> => {
      let chunk = chunks.get(cursor);
      if (chunk) return chunk;
      if (encoded && rest?.at !== cursor) {
        chunk = await this.encodedChunk(encoded, sessionId, cursor);
        rest = null;
      }
      if (!chunk) {
        const { slice, from } =
          rest?.at === cursor
            ? rest
            : {
                slice: await this.logs.readCursor(sessionId, { cursor, limit: this.config.wsLogChunk }),
                from: 0,
              };
        const { frame, sentTo, next } = logFrameWithin(sessionId, slice, from, this.config.wsMaxBufferedBytes);
        const cut = sentTo < slice.entries.length;
        rest = cut ? { slice, from: sentTo, at: next } : null;
        chunk = {
          frame: Buffer.from(frame),
          next,
          news: sentTo > from || (from === 0 && slice.dropped > 0),
          full: cut || slice.entries.length === this.config.wsLogChunk,
        };
      }
      chunks.set(cursor, chunk);
      return chunk;
    };
    return { chunkAt, forgetRead };
  }

  /**
   * The chunk at `cursor` from a store that writes its reads as bytes (the memory store): the
   * frame is the read's JSON body inside the `log` event, byte for byte what logFrameWithin
   * makes of the same entries, without an object, a Date and a string per entry (a frame of 100
   * entries of 100 bytes: ~35 µs against ~130). Undefined for a read past the frame's budget: it
   * may have to be cut, which the entry objects do (a second read, for a frame of megabytes).
   */
  private async encodedChunk(store: EncodedReads, sessionId: string, cursor: number): Promise<Chunk | undefined> {
    const read = await store.readCursorEncoded(sessionId, { cursor, limit: this.config.wsLogChunk }, 'json');
    // Its bytes are at least its characters, which logFrameWithin cuts at: one that fits is not cut.
    if (read.body.length > this.config.wsMaxBufferedBytes) {
      read.release?.();
      return undefined;
    }
    const frame = encodedLogFrame(sessionId, read.body);
    read.release?.();
    // A cursor read's entries are the seqs from its cursor (past what was dropped) to the one it answers.
    const count = read.cursor - cursor - read.dropped;
    return { frame, next: read.cursor, news: count > 0 || read.dropped > 0, full: count === this.config.wsLogChunk };
  }

  /** False once the client unsubscribed or subscribed again (a newer follow replaced it). */
  private isCurrent(follow: Follow): boolean {
    return this.byClient.get(follow.client)?.get(follow.sessionId) === follow;
  }
}
