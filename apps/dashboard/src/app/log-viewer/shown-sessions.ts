import { computed, Signal } from '@angular/core';
import { Session } from '@zen/contract';
import { LogSource, MAX_ROWS } from './log-sources';

/** The sessions a log view shows (one, or several merged by time), and how its rows name them. */
export class ShownSessions {
  /**
   * Every push brings new session objects; only a new set of sessions means new streams. A
   * session is its id and creation time: one created again under its id (a server without a
   * store restarted, its producer created it anew) has a new log from seq 0, not one to resume.
   */
  readonly key = computed(() =>
    this.sessions()
      .map((session) => `${session.id}@${session.created}`)
      .join(','),
  );
  readonly merged = computed(() => this.sessions().length > 1);
  /** Each session's place in the view (its tag colour). */
  private readonly places = computed(() => new Map(this.sessions().map((session, i) => [session.id, i])));

  constructor(private readonly sessions: Signal<readonly Session[]>) {}

  /**
   * Each session's stream, from its oldest held entry, or from its MAX_ROWS newest when the server
   * holds more (a higher LOG_CAPACITY): the view would only read the older ones to drop them.
   */
  streams(sessions: readonly Session[]): LogSource[] {
    return sessions.map((session) => ({ id: session.id, startCursor: firstShown(session) }));
  }

  sourceIndex(id: string): number {
    return this.places().get(id) ?? 0;
  }

  sourceName(id: string): string {
    return sourceName(this.appName(id), id);
  }

  shortId(id: string): string {
    return shortId(id);
  }

  appName(id: string): string {
    const index = this.places().get(id);
    return index === undefined ? '?' : this.sessions()[index].appname;
  }
}

/** The cursor of the oldest entry of `session` a view shows: its oldest held, at most MAX_ROWS back. */
export function firstShown(session: Session): number {
  return Math.max(session.logCursor - session.logCount, session.logCursor - MAX_ROWS);
}

/** How a merged view's tags and side panel name a session: its app and its short id. */
export function sourceName(appname: string, id: string): string {
  return `${appname} ${shortId(id)}`;
}

/** The end of a session id, enough to tell a merged view's sessions apart: `…a1b2c3`. */
export function shortId(id: string): string {
  return `…${id.slice(-6)}`;
}
