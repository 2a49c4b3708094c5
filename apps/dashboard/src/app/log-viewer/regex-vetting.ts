import { computed, DestroyRef, effect, inject, linkedSignal, signal, untracked } from '@angular/core';
import { LogRow } from './log-line';
import { LogFilterState, textMatcher } from './log-rows';
import { deltaFrom } from './row-deltas';

/**
 * How long the worker may take to run a new regex over the lines it would filter (or a known
 * regex over new lines) before the regex is refused: what the page would then spend at most on
 * them itself. Counted from when the worker is ready (its script loaded and run), so a slow
 * start on a busy machine does not refuse a harmless pattern.
 */
export const REGEX_BUDGET_MS = 1000;
export const TOO_SLOW = 'This pattern takes too long on these lines';

export type TextMatcher = ReturnType<typeof textMatcher>;

/** The text filter the rows are filtered with, and the rows it may run on. */
export interface ShownText {
  rows: readonly LogRow[];
  text: string;
  regex: boolean;
  matcher: TextMatcher;
}

interface Tried {
  source: string;
  rows: readonly LogRow[];
}

/**
 * A regex filter tried first in a Web Worker (`public/regex-worker.js`) on the lines it would
 * run on: JavaScript cannot interrupt a RegExp, so a pattern that backtracks catastrophically
 * (`(a+)+$` on forty `a`s and a `!`) would freeze the tab for good on the page's thread. The
 * page runs a regex only on rows the worker ran it on (every match of each, as the filter and
 * highlighting do) within REGEX_BUDGET_MS; a worker that does not answer in time is ended and
 * the regex refused (TOO_SLOW, in the field's hint). While a regex is on, new rows wait for the
 * worker to run it on them (a round trip), so a line that arrives later cannot freeze the tab
 * either. Plain text, an empty filter and an invalid regex do not involve the worker: they
 * cannot backtrack. Without Web Workers (jsdom) the regex runs on the page as before.
 */
export class RegexVetting {
  private readonly matcher = computed(() => textMatcher(this.filter()));
  /** The last regex the worker answered in time, and the rows it holds it was run on. */
  private readonly tried = signal<Tried | null>(null);
  /** The regex the worker ran out of time on (while the filter is still that text). */
  private readonly refused = signal<string | null>(null);
  /** The worker failed to start (not served, say): regexes run on the page, as before. */
  private readonly unavailable = signal(typeof Worker === 'undefined');
  private worker: Worker | null = null;
  /** The rows whose texts the worker holds; null for none (a new worker). */
  private mirrored: readonly LogRow[] | null = null;
  /** The worker said it is ready: its script loaded, so the budget's clock may run. */
  private ready = false;
  /** The try under way: the clock starts when it is sent to a ready worker, or once the worker is ready. */
  private inFlight: (Tried & { id: number; timer?: ReturnType<typeof setTimeout> }) | null = null;
  private nextId = 0;

  /** The text filter to show now: a regex only with rows it was run on, else the last one shown. */
  readonly shown = linkedSignal<
    {
      rows: readonly LogRow[];
      matcher: TextMatcher;
      tried: Tried | null;
      refused: string | null;
      unavailable: boolean;
    },
    ShownText
  >({
    source: () => ({
      rows: this.rows(),
      matcher: this.matcher(),
      tried: this.tried(),
      refused: this.refused(),
      unavailable: this.unavailable(),
    }),
    computation: ({ rows, matcher, tried, refused, unavailable }, previous) => {
      const { text, regex } = untracked(this.filter);
      if (!regex || !matcher.pattern || unavailable) return { rows, text, regex, matcher };
      if (refused === text) return { rows, text: '', regex, matcher: { pattern: null, error: TOO_SLOW } };
      if (tried?.source === text) return { rows: tried.rows, text, regex, matcher };
      // A new regex on its way through the worker: the last filter shown stays until it answers.
      return previous?.value ?? { rows: [], text: '', regex: false, matcher: { pattern: null, error: null } };
    },
  });

  constructor(
    private readonly rows: () => readonly LogRow[],
    private readonly filter: () => LogFilterState,
  ) {
    effect(() => {
      const rows = this.rows();
      const matcher = this.matcher();
      const tried = this.tried();
      const refused = this.refused();
      if (this.unavailable()) return;
      untracked(() => this.tryNext(rows, matcher, tried, refused));
    });
    inject(DestroyRef).onDestroy(() => this.end());
  }

  /**
   * Sends the worker the current regex and rows, unless they were tried, are refused, or a try is
   * under way. With Regex ticked and no valid pattern yet (an empty field, a pattern half typed),
   * the worker is started and kept up to date with the rows, so that the first pattern is tried
   * at once; unticked, the worker and its copy of the texts go.
   */
  private tryNext(rows: readonly LogRow[], matcher: TextMatcher, tried: Tried | null, refused: string | null): void {
    const { text, regex } = this.filter();
    if (this.inFlight) return;
    if (!regex) return this.end();
    if (!matcher.pattern) {
      if (rows !== this.mirrored) this.post(rows, null, false);
      return;
    }
    if (refused === text || (tried?.source === text && tried.rows === rows)) return;
    const known = tried?.source === text && tried.rows === this.mirrored;
    const id = this.post(rows, text, known);
    if (id === null) return;
    this.inFlight = { id, source: text, rows };
    if (this.ready) this.startClock();
  }

  /** The worker's answer: `ready` once its script ran, then the id of each try it finished. */
  private answered(data: number | 'ready'): void {
    if (data === 'ready') {
      this.ready = true;
      return this.startClock();
    }
    if (data !== this.inFlight?.id) return;
    clearTimeout(this.inFlight.timer);
    const { source, rows } = this.inFlight;
    this.inFlight = null;
    this.tried.set({ source, rows });
  }

  private startClock(): void {
    const flight = this.inFlight;
    if (flight && flight.timer === undefined) {
      flight.timer = setTimeout(() => this.outOfTime(flight.source), REGEX_BUDGET_MS);
    }
  }

  /**
   * Brings the worker's texts from `mirrored` to `rows` (only the new rows' texts when the rows
   * say how they came from those) and has it run `source` on them: on the new ones only when it
   * is `known` to have run it on the rest. No `source`: the texts only, no answer. The id to answer.
   */
  private post(rows: readonly LogRow[], source: string | null, known: boolean): number | null {
    const worker = this.started();
    if (!worker) return null;
    const delta =
      this.mirrored && (rows === this.mirrored ? { evicted: 0, kept: rows.length } : deltaFrom(rows, this.mirrored));
    const added: string[] = [];
    for (let i = delta ? delta.kept : 0; i < rows.length; i++) added.push(textOf(rows[i]));
    const id = ++this.nextId;
    worker.postMessage({
      id,
      reset: !delta,
      evicted: delta?.evicted ?? 0,
      kept: delta?.kept ?? 0,
      added,
      source,
      all: !delta || !known,
    });
    this.mirrored = rows;
    return id;
  }

  private started(): Worker | null {
    if (this.worker) return this.worker;
    try {
      // Resolved against the page's base (`/dashboard/`), where the build copies `public/`.
      this.worker = new Worker('regex-worker.js');
    } catch {
      this.unavailable.set(true);
      return null;
    }
    this.worker.onmessage = ({ data }: MessageEvent<number | 'ready'>) => this.answered(data);
    this.worker.onerror = (event) => {
      event.preventDefault();
      this.end();
      this.unavailable.set(true);
    };
    return this.worker;
  }

  /** The worker is still running `source`: it may never stop, so it is ended (with the texts it held) and the regex refused. */
  private outOfTime(source: string): void {
    this.end();
    this.refused.set(source);
  }

  private end(): void {
    if (this.inFlight) clearTimeout(this.inFlight.timer);
    this.inFlight = null;
    this.worker?.terminate();
    this.worker = null;
    this.ready = false;
    this.mirrored = null;
  }
}

function textOf(row: LogRow): string {
  return row.kind === 'entry' ? row.text : '';
}
