import { ChangeDetectionStrategy, Component, computed, effect, input, output, signal } from '@angular/core';
import { jsonLines } from './json-lines';

/**
 * An entry's `data` as a tree: one line per key, objects and arrays fold and unfold.
 * Keys and values are rendered as text only.
 */
@Component({
  selector: 'zen-json-tree',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <ul role="tree" [attr.aria-label]="label()">
      @for (line of lines(); track line.path) {
        <li
          role="treeitem"
          aria-selected="false"
          [attr.aria-level]="line.depth + 1"
          [attr.aria-expanded]="line.expandable ? line.expanded : null"
          [style.padding-left.em]="line.depth * 1.5"
        >
          @if (line.expandable) {
            <button
              type="button"
              class="fold"
              (click)="toggle(line.path)"
              [attr.aria-label]="(line.expanded ? 'Fold ' : 'Unfold ') + (line.key ?? 'data')"
            >
              {{ line.expanded ? '▾' : '▸' }}
            </button>
          } @else {
            <span class="fold" aria-hidden="true"></span>
          }
          @if (line.key !== null) {
            <span class="key">{{ line.key }}:</span>
          }
          <span class="value {{ line.kind }}">{{ line.text }}</span>
        </li>
      }
    </ul>
  `,
  styleUrl: './json-tree.scss',
})
export class JsonTree {
  readonly value = input.required<unknown>();
  readonly label = input('Entry data');
  /** How many lines the tree shows now (the viewer sizes the row by it). */
  readonly linesChange = output<number>();
  private readonly collapsed = signal<ReadonlySet<string>>(new Set());
  readonly lines = computed(() => jsonLines(this.value(), this.collapsed()));

  constructor() {
    effect(() => this.linesChange.emit(this.lines().length));
  }

  toggle(path: string): void {
    this.collapsed.update((set) => {
      const next = new Set(set);
      if (!next.delete(path)) next.add(path);
      return next;
    });
  }
}
