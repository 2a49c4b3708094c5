import { ChangeDetectionStrategy, Component, input, model } from '@angular/core';

const KEY_STEP_PX = 24;

/**
 * A horizontal split handle: drag it, or focus it and use the arrow keys, to change
 * the height of the pane above (`size`, in px, two-way bound).
 */
@Component({
  selector: 'zen-splitter',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: '<span class="grip"></span>',
  styleUrl: './splitter.scss',
  host: {
    role: 'separator',
    tabindex: '0',
    'aria-orientation': 'horizontal',
    '[attr.aria-label]': 'label()',
    '[attr.aria-valuenow]': 'size()',
    '[attr.aria-valuemin]': 'min()',
    '[attr.aria-valuemax]': 'max()',
    '(pointerdown)': 'start($event)',
    '(pointermove)': 'drag($event)',
    '(pointerup)': 'end($event)',
    // The browser took the pointer (a touch became a scroll): the drag ends where it was.
    '(pointercancel)': 'end($event)',
    '(keydown.arrowup)': 'nudge($event, -1)',
    '(keydown.arrowdown)': 'nudge($event, 1)',
  },
})
export class Splitter {
  readonly size = model.required<number>();
  readonly min = input(80);
  readonly max = input(2000);
  readonly label = input('Resize');
  private dragFrom: { y: number; size: number } | null = null;

  start(event: PointerEvent): void {
    // The main button of the primary pointer only (as the histogram): a right-button drag opens
    // the browser's menu, not a resize.
    if (event.button !== 0 || !event.isPrimary) return;
    (event.currentTarget as Element).setPointerCapture?.(event.pointerId);
    this.dragFrom = { y: event.clientY, size: this.size() };
    event.preventDefault();
  }

  drag(event: PointerEvent): void {
    if (this.dragFrom && event.isPrimary) this.resize(this.dragFrom.size + event.clientY - this.dragFrom.y);
  }

  end(event: PointerEvent): void {
    (event.currentTarget as Element).releasePointerCapture?.(event.pointerId);
    this.dragFrom = null;
  }

  nudge(event: Event, direction: number): void {
    event.preventDefault();
    this.resize(this.size() + direction * KEY_STEP_PX);
  }

  private resize(px: number): void {
    this.size.set(Math.round(Math.min(this.max(), Math.max(this.min(), px))));
  }
}
