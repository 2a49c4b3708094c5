import type { LogEventData } from '@zen/contract';
import type { Backoff } from '../backoff';
import type { LookedUpSession, SessionLookup } from './session-lookup';

/** The most entries a follow holds while its session is checked (see `LiveClientOptions.sessionLookup`). */
const HELD_ENTRIES_MAX = 10_000;

/**
 * The most different failures of its lookup a follow tells (`onLookupError`) until one answers:
 * failures whose messages vary (a count, a time in them) must not be told at every try either.
 */
const FAILURES_TOLD_MAX = 5;

/** What a check found, with what the follow received meanwhile. */
export interface CheckAnswer {
  /** The session's `created`, or null: the server has no such session. */
  created: string | null;
  /** The entries ever appended to its log, when the lookup told. */
  logCursor?: number;
  /** The log events received while it was checked, not taken yet. */
  held: LogEventData[];
  /** More entries came than it holds: they were let go, and the follow is to be subscribed again. */
  lapsed: boolean;
}

/**
 * One follow's check that its session is still the one followed (with a `sessionLookup`): what
 * the follow receives is held until the lookup answers, asked again with backoff while it cannot
 * tell, each different failure told once (`failed`) until it answers again. Without a lookup, it
 * never holds anything.
 */
export class SessionCheck {
  /** While checked: the log events received meanwhile, not taken yet. */
  private held: LogEventData[] | null = null;
  /** The entries received while held; past HELD_ENTRIES_MAX, they are let go. */
  private heldEntries = 0;
  /** Counts the checks begun and ended, so that the answer of one ended meanwhile is ignored. */
  private checks = 0;
  /** The next ask, when the lookup did not answer. */
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** Aborts the lookup in flight once its answer is no longer wanted. */
  private asking: AbortController | null = null;
  /**
   * The failures told since the lookup last answered (`failureKey`): across checks, so that a
   * reconnect while the lookup still fails tells nothing new.
   */
  private readonly told = new Set<string>();

  constructor(
    private readonly id: string,
    private readonly lookup: SessionLookup | null,
    private readonly backoff: Backoff,
    private readonly answered: (answer: CheckAnswer) => void,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Changes whenever a check begins or ends: what was taken in one round must not go on into the next. */
  get round(): number {
    return this.checks;
  }

  /**
   * Begins holding what comes, and asks. What was held before is dropped, not delivered: it was
   * not taken (the cursor did not move), so the subscription sent with this check brings it again.
   */
  start(): void {
    const lookup = this.lookup;
    if (!lookup) return;
    this.end();
    this.held = [];
    this.ask(lookup);
  }

  /** Forgets a check under way (its answer, once it comes, is ignored) and what it held. */
  end(): void {
    this.checks++;
    this.held = null;
    this.heldEntries = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.asking?.abort(new Error('the session check ended'));
    this.asking = null;
  }

  /** Holds a log event while checked (true), or leaves it to be taken now (false). */
  hold(data: LogEventData): boolean {
    if (!this.held) return false;
    // Held for long (the server answers the socket, not the lookup): rather than without bound,
    // what comes is let go, and the subscription sent again from the cursor once the check answers.
    this.heldEntries += data.entries.length;
    if (this.heldEntries <= HELD_ENTRIES_MAX) this.held.push(data);
    else this.held.length = 0;
    return true;
  }

  private ask(lookup: SessionLookup): void {
    const check = this.checks;
    const asking = new AbortController();
    this.asking = asking;
    const answered = (session: LookedUpSession | null | undefined, error?: unknown) => {
      // Ended meanwhile (stopped, closed, checked anew): its failure, an abort most likely, is no news.
      if (check !== this.checks) return;
      this.asking = null;
      if (session === undefined) this.tell(error);
      // The failure's callback may have stopped the follow or closed the client.
      if (check !== this.checks) return;
      this.settle(lookup, session);
    };
    // A lookup that throws rather than rejects has not answered either.
    new Promise<LookedUpSession | null>((resolve) => resolve(lookup(this.id, asking.signal))).then(
      (session) => answered(session ?? null),
      (error: unknown) => answered(undefined, error),
    );
  }

  /** A failure of the lookup, told unless one like it was told since it last answered. */
  private tell(error: unknown): void {
    const key = failureKey(error);
    if (this.told.has(key) || this.told.size >= FAILURES_TOLD_MAX) return;
    this.told.add(key);
    this.failed(error);
  }

  /** The lookup's answer: the session, null (no such session), or undefined (no answer). */
  private settle(lookup: SessionLookup, session: LookedUpSession | null | undefined): void {
    if (session === undefined) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.ask(lookup);
      }, this.backoff.next());
      return;
    }
    this.backoff.reset();
    this.told.clear();
    const held = this.held ?? [];
    const lapsed = this.heldEntries > HELD_ENTRIES_MAX;
    this.end();
    const logCursor = typeof session?.logCursor === 'number' ? session.logCursor : undefined;
    this.answered({ created: session ? session.created : null, logCursor, held, lapsed });
  }
}

/** What tells one failure from another: its kind, status (an `ApiError`'s) and message. */
function failureKey(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const status = (error as { status?: unknown }).status;
  return `${error.name} ${status ?? ''} ${error.message}`;
}
