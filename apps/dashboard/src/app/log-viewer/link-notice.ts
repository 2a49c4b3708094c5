import { afterNextRender, DestroyRef, inject, Injector, PendingTasks, signal } from '@angular/core';

/**
 * How long after the view's first render its notices' live regions take what is said: a screen
 * reader reads out what changes in a region it has already seen, not one that came with its text
 * (the Material snack bar waits as long before putting its message in its live region).
 */
export const NOTICE_REGION_SETTLE_MS = 150;

/**
 * What the view says of a part of its link it does not show: a `?line=` evicted, hidden or no
 * line number, a `?from=` / `?to=` that names no time range. Said above the log (with a Dismiss
 * button), and brought on screen where the page scrolls (`reveal`): below 900 px the log lies
 * below the fold, and a notice there would go unseen. Create in an injection context.
 *
 * The notice is said into a live region (role="status") on the page from the view's first render.
 * What is said before the region has been there NOTICE_REGION_SETTLE_MS (as the view opens on its
 * link, or as the sessions it opens with are placed) is said then.
 */
export class LinkNotice {
  private readonly injector = inject(Injector);
  private readonly pendingTasks = inject(PendingTasks);
  readonly text = signal<string | null>(null);
  /** Whether the live region has been on the page long enough to be heard. */
  private settled = false;
  /** What was said before then, said once it is (undefined: nothing). */
  private early: string | null | undefined = undefined;
  /** Ends the pending task that keeps the app unstable while an early notice waits. */
  private earlyDone: (() => void) | null = null;

  /** `kind` names the notice to tests (`data-testid="<kind>-notice"`). */
  constructor(
    readonly kind: 'line' | 'range',
    private readonly reveal: () => void,
  ) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    afterNextRender(() => (timer = setTimeout(() => this.settle(), NOTICE_REGION_SETTLE_MS)), {
      injector: this.injector,
    });
    inject(DestroyRef).onDestroy(() => {
      clearTimeout(timer);
      this.earlyDone?.();
    });
  }

  /** Says `text` and brings it on screen once rendered; null: nothing to say, the notice goes. */
  say(text: string | null): void {
    if (!this.settled) {
      this.early = text;
      if (text !== null) this.earlyDone ??= this.pendingTasks.add();
      return;
    }
    this.text.set(text);
    if (text !== null) afterNextRender(() => this.reveal(), { injector: this.injector });
  }

  clear(): void {
    this.say(null);
  }

  private settle(): void {
    this.settled = true;
    if (this.early !== undefined) this.say(this.early);
    this.early = undefined;
    this.earlyDone?.();
    this.earlyDone = null;
  }
}
