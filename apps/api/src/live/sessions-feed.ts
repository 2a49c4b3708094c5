import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { SessionsFeedMode } from '@zen/contract';
import {
  ImmediateSessionRegistry,
  immediateRegistry,
  LogStore,
  newestFirst,
  SessionChange,
  SessionRecord,
  SessionRegistry,
  StoreUnavailableError,
  Unsubscribe,
} from '@zen/log-store';
import WebSocket from 'ws';
import { AppConfig } from '../config/app-config';
import { SessionsService } from '../sessions/sessions.service';
import { FeedWindow, WindowEvents } from './feed-window';
import { WsQueue } from './ws-queue';
import { errorFrame, SESSIONS_FRAME_AROUND, sessionsDeltaFrame } from './live-frames';

/** A `sessions` event as bytes, the change count it was built at, and the newest session in it. */
interface Listing {
  version: number;
  frame: Buffer;
  newest: SessionRecord | undefined;
}

/** What the next delta must say about one session that changed in the current window. */
export interface PendingChange {
  /** Forgotten at some point in the window (it may have been created again since). */
  removed: boolean;
  /** Created in the window (its place among the others created then is the store's, not the order of their reports). */
  created: boolean;
}

/**
 * The sessions listing of `/sessions/ws`, for each connection in one of two modes:
 * - `full` (the default): a `sessions` event on connect, every SESSIONS_WS_INTERVAL_MS,
 *   and within SESSIONS_WS_DELTA_MS of a session being created or ended;
 * - `delta`: one `sessions` event (the baseline), then a `sessions-delta` event per
 *   SESSIONS_WS_DELTA_MS window in which something changed.
 *
 * Listings and deltas are built one at a time, so a baseline never interleaves with a
 * delta: whatever changed after a baseline's snapshot is in the next delta. Each frame is
 * serialised once (from the records' cached JSON) and the same bytes go to every client
 * it is for; with a registry in this process, which reports every change, a listing frame
 * is also reused until a change is reported (a quiet server's periodic push walks nothing;
 * a shared store's registry may miss changes made elsewhere while its feed is down, so its
 * listing is read at every push). A client with more than WS_MAX_BUFFERED_BYTES queued (or
 * any, while all clients together have more than WS_MAX_TOTAL_BUFFERED_BYTES: WsQueue) is
 * skipped; in delta mode it is then owed a fresh baseline, sent once it is under the bounds
 * again. The window's timing is a FeedWindow's.
 */
@Injectable()
export class SessionsFeed implements OnModuleDestroy {
  private readonly full = new Set<WebSocket>();
  private readonly delta = new Set<WebSocket>();
  /** Delta clients that have their baseline and get every delta. */
  private readonly inSync = new Set<WebSocket>();
  /**
   * Clients owed `sessions` events now (either mode), and how many: 1, or 2 when a connection's
   * first listing is still owed as its `subscribe-sessions` comes (API.md names both, and a client
   * may wait for each; later subscribes before they go are answered by the same listing).
   */
  private readonly owed = new Map<WebSocket, 1 | 2>();
  /** Sessions changed since the last delta, in the order first seen: one entry per id. */
  private pending = new Map<string, PendingChange>();
  /** A session was created or ended since the last prompt listing for full clients. */
  private fullDue = false;
  /** When (performance.now()) the window of the last prompt listing closed. */
  private lastPromptAt = -Infinity;
  private readonly window: FeedWindow;
  private owedQueued = false;
  private periodicQueued = false;
  private probeQueued = false;
  private work: Promise<void> = Promise.resolve();
  /** Clients told about the current store outage (each once); renewed when the store answers a listing or probe. */
  private toldOfOutage = new WeakSet<WebSocket>();
  /** While the shared store's change feed is lost: the notice every client gets once, those connecting meanwhile too. */
  private feedLostNotice: string | null = null;
  /** Counts the changes reported; a cached listing frame is current while it has not moved. */
  private version = 0;
  private listing: Listing | null = null;
  /**
   * The newest session (as listings sort them) a delta client in sync may hold: from its
   * baseline or a delta since. A session created before it cannot be placed by a delta (a
   * client puts new ones on top), so its window's delta goes out as a fresh baseline instead.
   */
  private newestHeld: SessionRecord | undefined;
  /** The registry's synchronous reads when it lives in this process (it then reports every change). */
  private readonly local: ImmediateSessionRegistry | null;
  private readonly stopFollowing: Unsubscribe[];
  private readonly logger = new Logger('SessionsFeed');

  constructor(
    private readonly config: AppConfig,
    private readonly sessions: SessionsService,
    private readonly registry: SessionRegistry,
    logs: LogStore,
    private readonly queue: WsQueue,
  ) {
    this.local = immediateRegistry(registry);
    this.window = new FeedWindow(config.wsDeltaMs, (closedAt) => this.run(() => this.flush(closedAt)));
    this.stopFollowing = [
      registry.onChanged((change) => this.changed(change)),
      // The shared store's feed (told through the log store) is back after it was lost.
      logs.onResynced(() => this.resynced()),
      logs.onFeedLost((why) => this.feedLost(why)),
    ];
  }

  onModuleDestroy(): void {
    for (const stop of this.stopFollowing) stop();
    this.window.stop();
  }

  /** A new connection: full mode, and its first listing at once (then word of a lost feed: see serveOwed). */
  connect(client: WebSocket): void {
    this.full.add(client);
    this.owe(client);
  }

  disconnect(client: WebSocket): void {
    this.full.delete(client);
    this.delta.delete(client);
    this.inSync.delete(client);
    this.owed.delete(client);
  }

  /** The connections this feed holds, by mode: every open one, in one mode (the `zen_ws_sessions_feed_clients` gauge). */
  clientCounts(): Record<SessionsFeedMode, number> {
    return { full: this.full.size, delta: this.delta.size };
  }

  /** `subscribe-sessions`: either mode starts with a full listing sent at once. */
  subscribe(client: WebSocket, mode: SessionsFeedMode): void {
    this.inSync.delete(client);
    if (mode === 'delta') {
      this.full.delete(client);
      this.delta.add(client);
    } else {
      this.delta.delete(client);
      this.full.add(client);
    }
    this.owe(client);
  }

  /**
   * The periodic part, every SESSIONS_WS_INTERVAL_MS: full clients' listing, and baselines
   * owed to drained clients. With only delta clients and a shared store, a probe of the
   * store stands in for the listing: a quiet outage must reach them too (API.md: WebSocket
   * clients get an `error` event), and nothing else would ask the store.
   */
  tick(): void {
    const probing = this.full.size === 0 && this.delta.size > 0 && !this.local;
    if ((this.full.size > 0 || probing) && !this.periodicQueued) {
      this.periodicQueued = true;
      this.run(() => {
        this.periodicQueued = false;
        return probing ? this.probe() : this.pushListing(this.full);
      });
    }
    this.serveOwed();
  }

  /**
   * With a shared store and a SESSIONS_WS_INTERVAL_MS longer than a second (called every
   * second then): a probe of the store, so that an outage reaches every client within a second
   * or so (API.md: WebSocket clients get an `error` event), full-list clients included, whose
   * listing, the tick's usual probe, may be minutes away.
   */
  probeOutage(): void {
    if (this.local || this.probeQueued || this.full.size + this.delta.size === 0) return;
    this.probeQueued = true;
    this.run(() => {
      this.probeQueued = false;
      return this.probe();
    });
    // Baselines owed since an outage (and to clients that drained) go out once the store answers.
    this.serveOwed();
  }

  private async probe(): Promise<void> {
    await this.registry.counts();
    this.storeAnswered();
  }

  private changed(change: SessionChange): void {
    this.version++;
    let due = false;
    if (this.delta.size > 0) {
      let entry = this.pending.get(change.id);
      if (!entry) this.pending.set(change.id, (entry = { removed: false, created: false }));
      if (change.kind === 'removed') entry.removed = true;
      if (change.kind === 'created') entry.created = true;
      due = true;
    }
    if ((change.kind === 'created' || change.kind === 'ended') && this.full.size > 0) {
      this.fullDue = true;
      due = true;
    }
    // The window closes early enough for its events to be built and sent within
    // SESSIONS_WS_DELTA_MS of this change, however many sessions a listing holds.
    if (due) this.window.changed(this.windowEvents());
  }

  /**
   * The shared store's change feed is back after it was lost (only that connection may have
   * been: Redis drops a subscriber past its pub/sub output buffer limit, or whose channel access
   * was revoked, while the replica's commands keep working). What it missed meanwhile no delta
   * can tell: a session another replica forgot was never reported `removed`, and sessions created
   * meanwhile come back as mere updates, which a client would put on top in the wrong order. So
   * delta clients in sync get a fresh baseline, as after a store outage, and full clients a
   * listing at once rather than at the next period.
   */
  private resynced(): void {
    this.feedLostNotice = null;
    this.toldOfOutage = new WeakSet();
    for (const client of this.inSync) this.owed.set(client, 1);
    this.inSync.clear();
    this.serveOwed();
    if (this.full.size > 0) {
      this.fullDue = true;
      this.window.changed('listing');
    }
  }

  /** What the open window will send: a listing when full clients are owed one. */
  private windowEvents(): WindowEvents {
    return this.fullDue && this.full.size > 0 ? 'listing' : 'delta';
  }

  /** Runs after every task queued before it: listings and deltas never interleave. */
  private run(task: () => Promise<void>): void {
    this.work = this.work.then(task).catch((error) => this.failed(error, [...this.full, ...this.delta]));
  }

  /**
   * A store outage is told to each client once (its connection and mode stay); other errors
   * are logged. Delta clients then get a fresh baseline once the store answers: this
   * replica's change feed may have missed changes made elsewhere meanwhile.
   */
  private failed(error: unknown, clients: WebSocket[]): void {
    if (error instanceof StoreUnavailableError) {
      for (const client of this.inSync) this.owed.set(client, 1);
      this.inSync.clear();
      if (this.tellOfOutage(error.message, clients) === 0) return;
    }
    this.logger.warn(`sessions push skipped: ${messageOf(error)}`);
  }

  /**
   * The shared store's change feed is lost, perhaps alone (its commands may still work, and
   * then nothing else fails where a client would see it): every client hears it once, until
   * the feed is back. Its `log` events and deltas wait for that; its followers then read on
   * from their cursors and delta clients get a fresh baseline (see resynced).
   */
  private feedLost(why: string): void {
    if (this.feedLostNotice) return;
    this.feedLostNotice = `${why}; live updates wait until it is back, then go on from where each client is`;
    this.tellOfOutage(this.feedLostNotice, [...this.full, ...this.delta]);
  }

  /** Tells each of `clients` not told yet of the current outage; answers how many it told. */
  private tellOfOutage(message: string, clients: WebSocket[]): number {
    const untold = clients.filter((client) => !this.toldOfOutage.has(client));
    if (untold.length === 0) return 0;
    const frame = errorFrame(message);
    for (const client of untold) {
      this.toldOfOutage.add(client);
      if (client.readyState === WebSocket.OPEN) client.send(frame);
    }
    return untold.length;
  }

  /** The store answered a listing: an outage ends, but not a lost feed, which its resync ends (see resynced). */
  private storeAnswered(): void {
    if (!this.feedLostNotice) this.toldOfOutage = new WeakSet();
  }

  /** Sends what the window that closed at `closedAt` collected; measures how long that took since. */
  private async flush(closedAt: number): Promise<void> {
    const changes = this.pending;
    this.pending = new Map();
    let sent: WindowEvents | null = null;
    // Without clients in sync nobody needs these: a delta client still owed its baseline gets a later snapshot.
    if (changes.size > 0 && this.inSync.size > 0) {
      await this.pushDelta(changes);
      sent = 'delta';
    }
    if (this.fullDue && this.full.size > 0 && (await this.promptListing(closedAt))) sent = 'listing';
    // From the close, not from the timer's firing: a late timer or a listing queued ahead is part of the delay.
    if (sent) this.window.measured(sent, performance.now() - closedAt);
    this.fullDue &&= this.full.size > 0;
    this.serveOwed();
  }

  private async pushDelta(changes: Map<string, PendingChange>): Promise<void> {
    const ids = [...changes.keys()];
    let records: (SessionRecord | undefined)[];
    try {
      const local = this.local;
      records = local ? ids.map((id) => local.getNow(id)) : await Promise.all(ids.map((id) => this.registry.get(id)));
    } catch (error) {
      // The changes are lost to these clients: each gets a fresh baseline once the store answers.
      for (const client of this.inSync) this.owed.set(client, 1);
      this.inSync.clear();
      throw error;
    }
    const created = records.filter((record, i) => record && changes.get(ids[i])?.created) as SessionRecord[];
    created.sort(newestFirst);
    const oldest = created[created.length - 1];
    if (oldest && this.newestHeld && newestFirst(this.newestHeld, oldest) < 0) {
      // Created before a session the clients hold (replicas' clocks differ, or its report came
      // a window late): on top, where a delta would put it, is not where a listing has it.
      for (const client of this.inSync) this.owed.set(client, 1);
      this.inSync.clear();
      return;
    }
    this.holding(created[0]);
    const frame = deltaFrameOf(ids, records, changes);
    for (const client of this.inSync) {
      if (this.writable(client)) {
        this.queue.send(client, frame);
      } else {
        this.inSync.delete(client);
        if (client.readyState === WebSocket.OPEN) this.owed.set(client, 1);
      }
    }
  }

  /**
   * A listing for full clients after a create or end, at most one per window (windows close
   * early by their lead, so two prompt listings are at least SESSIONS_WS_DELTA_MS minus the
   * lead apart). Answers whether it was sent now.
   */
  private async promptListing(closedAt: number): Promise<boolean> {
    const wait = this.lastPromptAt + this.config.wsDeltaMs - this.window.lead(this.windowEvents()) - closedAt;
    if (wait > 0) {
      this.window.arm(wait);
      return false;
    }
    this.fullDue = false;
    this.lastPromptAt = closedAt;
    await this.pushListing(this.full);
    return true;
  }

  private async pushListing(clients: Set<WebSocket>): Promise<void> {
    if (clients.size === 0) return;
    const { frame } = await this.listingFrame();
    for (const client of clients) {
      // A client that is not reading gets no more listings until it drains.
      if (!this.writable(client)) continue;
      this.queue.send(client, frame);
      this.served(client);
    }
  }

  private owe(client: WebSocket): void {
    this.owed.set(client, this.owed.has(client) ? 2 : 1);
    this.serveOwed();
  }

  /** One listing owed to `client` went out. */
  private served(client: WebSocket): void {
    if (this.owed.get(client) === 2) this.owed.set(client, 1);
    else this.owed.delete(client);
  }

  /** Sends one listing to every owed client whose queue is under the bound; delta clients are then in sync. */
  private serveOwed(): void {
    if (this.owedQueued || ![...this.owed.keys()].some((client) => this.writable(client))) return;
    this.owedQueued = true;
    this.run(async () => {
      this.owedQueued = false;
      const ready = [...this.owed.keys()].filter((client) => this.writable(client));
      // A client whose mode changes while the listing is built waits for the next one:
      // changes before its switch to delta were not being recorded for it.
      const wasDelta = new Map(ready.map((client) => [client, this.delta.has(client)]));
      let listing: Listing;
      try {
        listing = await this.listingFrame();
      } catch (error) {
        // They stay owed and are served once the store answers (tick).
        return this.failed(error, ready);
      }
      for (const client of ready) {
        if (!this.owed.has(client) || client.readyState !== WebSocket.OPEN) continue;
        if (this.delta.has(client) !== wasDelta.get(client)) {
          // It may serve as the connection's first listing, not as the new mode's.
          if (this.owed.get(client) === 2) {
            this.queue.send(client, listing.frame);
            this.served(client);
          }
          continue;
        }
        // Both owed (the connect listing and the subscribe's): the same listing answers each.
        if (this.owed.get(client) === 2) this.queue.send(client, listing.frame);
        this.queue.send(client, listing.frame);
        this.owed.delete(client);
        // After the listing, not before: a listing read while only the feed is lost says nothing
        // of it, and a client (the dashboard) takes a listing for the store answering again.
        if (this.feedLostNotice) this.tellOfOutage(this.feedLostNotice, [client]);
        if (!this.delta.has(client)) continue;
        this.inSync.add(client);
        this.holding(listing.newest);
      }
      this.serveOwed();
    });
  }

  /**
   * The `sessions` event as bytes: the cached frame if no change was reported since it was
   * built, else a new one. Building one is measured: the first prompt listing after start
   * then leaves room for it already.
   */
  private async listingFrame(): Promise<Listing> {
    if (this.local && this.listing?.version === this.version) return this.listing;
    const version = this.version;
    const start = performance.now();
    const { before, after } = SESSIONS_FRAME_AROUND;
    const { bytes: frame, newest } = await this.sessions.listBytes('all', before, after);
    const listing = { version, frame, newest };
    this.window.measured('listing', performance.now() - start);
    this.storeAnswered();
    // A change reported while the listing was read may or may not be in it: not cached then.
    this.listing = this.local && version === this.version ? listing : null;
    return listing;
  }

  /** Delta clients in sync now hold `session` (see newestHeld). */
  private holding(session: SessionRecord | undefined): void {
    if (session && (!this.newestHeld || newestFirst(session, this.newestHeld) < 0)) this.newestHeld = session;
  }

  /** Its queue and all clients' within their bounds (WsQueue). */
  private writable(client: WebSocket): boolean {
    return this.queue.writable(client);
  }
}

/**
 * `upserted` lists the sessions created in the window first, newest first (a client puts
 * the ones it does not know on top, in this order), then the other changed ones.
 * `removed` names every id forgotten in the window, even one created again since.
 * Newest is as a listing sorts (`newestFirst`): by `created`, then, for equal `created`, by
 * the records' creation order in the store. Not by the order the creates were reported
 * here: creates made at once through other replicas may reach this one's feed in another
 * order than the store numbered them in, and the listing goes by the store's.
 */
export function deltaFrameOf(
  ids: string[],
  records: (SessionRecord | undefined)[],
  changes: Map<string, PendingChange>,
): Buffer {
  const created: SessionRecord[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  for (let i = 0; i < ids.length; i++) {
    const change = changes.get(ids[i]) as PendingChange;
    const record = records[i];
    if (change.removed || !record) removed.push(ids[i]);
    if (!record) continue;
    if (change.created) created.push(record);
    else changed.push(record.toJson());
  }
  created.sort(newestFirst);
  return sessionsDeltaFrame([...created.map((record) => record.toJson()), ...changed], removed);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
