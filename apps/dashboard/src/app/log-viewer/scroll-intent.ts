/** Keys that scroll the focused log as the browser's own (j/k, g/G are the log's: see log-keys.ts). */
const SCROLL_KEYS = new Set(['PageUp', 'PageDown', 'Home', 'End', 'ArrowUp', 'ArrowDown', ' ']);

/**
 * Whether the person is scrolling the log: a wheel, a touch, a scrolling key or a press on the
 * log element itself (its scrollbar) makes the scroll events of this frame and the next theirs.
 * The next too, as Chromium may deliver a wheel's scroll in the frame after its event. A press
 * lasts until it is released, as a scrollbar drag scrolls for as long as it is held.
 */
export class ScrollIntent {
  private recent = false;
  private held = false;
  /** Which intent is the latest: only its frames end the window. */
  private latest = 0;

  scrolling(): boolean {
    return this.recent || this.held;
  }

  /** Listens on `element` (passive: a listener that may cancel would slow scrolling) until `stop`. */
  watch(element: HTMLElement, stop: AbortSignal): void {
    const options = { passive: true, signal: stop };
    const note = () => this.note();
    for (const type of ['wheel', 'touchstart', 'touchmove']) element.addEventListener(type, note, options);
    element.addEventListener('keydown', (event) => SCROLL_KEYS.has(event.key) && note(), options);
    element.addEventListener(
      'pointerdown',
      (event) => {
        if (event.target !== element) return;
        this.held = true;
        note();
      },
      options,
    );
    const release = () => {
      if (!this.held) return;
      this.held = false;
      note();
    };
    window.addEventListener('pointerup', release, options);
    window.addEventListener('pointercancel', release, options);
  }

  private note(): void {
    const intent = ++this.latest;
    this.recent = true;
    requestAnimationFrame(() =>
      requestAnimationFrame(() => {
        if (intent === this.latest) this.recent = false;
      }),
    );
  }
}
