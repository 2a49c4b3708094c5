import { afterNextRender, inject, Injector, signal } from '@angular/core';

/**
 * What the view says of a part of its link it does not show: a `?line=` evicted, hidden or no
 * line number, a `?from=` / `?to=` that names no time range. Said above the log (with a Dismiss
 * button), and brought on screen where the page scrolls (`reveal`): below 900 px the log lies
 * below the fold, and a notice there would go unseen. Create in an injection context.
 */
export class LinkNotice {
  private readonly injector = inject(Injector);
  readonly text = signal<string | null>(null);

  /** `kind` names the notice to tests (`data-testid="<kind>-notice"`). */
  constructor(
    readonly kind: 'line' | 'range',
    private readonly reveal: () => void,
  ) {}

  /** Says `text` and brings it on screen once rendered; null: nothing to say, the notice goes. */
  say(text: string | null): void {
    this.text.set(text);
    if (text !== null) afterNextRender(() => this.reveal(), { injector: this.injector });
  }

  clear(): void {
    this.text.set(null);
  }
}
