import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { Session } from '@zen/contract';
import { shortId, sourceName } from '../log-viewer/shown-sessions';

/** The most sessions one merged view follows. */
export const MAX_MERGED = 20;

/** The side panel of a merged view: the sessions in it, each with its colour, to open or take out. */
@Component({
  selector: 'zen-merged-sources',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h2>Merged view</h2>
    <p class="hint">
      {{ sessions().length }} {{ sessions().length === 1 ? 'session' : 'sessions' }} in one log, ordered by time.
    </p>
    <ul aria-label="Sessions in this view" data-testid="merged-sources">
      @for (session of sessions(); track session.id; let i = $index) {
        <li class="src-{{ i % 8 }}">
          <!-- A long app name, mode or job id is cut to the panel with …, whole in the tooltip; the short id stays. -->
          <button type="button" class="open" (click)="open.emit(session.id)" [title]="titleOf(session)">
            <!-- Named by its visible text, with the action around it for screen readers (a label must contain what is seen). -->
            <span class="visually-hidden">Open </span
            ><span class="name"
              ><span class="app">{{ session.appname }}</span>
              <span class="short-id">{{ shortId(session.id) }}</span></span
            ><span class="visually-hidden"> alone,</span>
            <span class="meta">{{ metaOf(session) }}</span>
          </button>
          <button
            type="button"
            class="remove"
            (click)="remove.emit(session.id)"
            [attr.aria-label]="'Remove ' + nameOf(session) + ' from the view'"
          >
            ✕
          </button>
        </li>
      }
    </ul>
    @if (missing().length > 0) {
      <p class="hint">Not known to the server: {{ missing().join(', ') }}</p>
    }
  `,
  styleUrl: './merged-sources.scss',
})
export class MergedSources {
  readonly sessions = input.required<readonly Session[]>();
  readonly missing = input<readonly string[]>([]);
  readonly open = output<string>();
  readonly remove = output<string>();
  readonly shortId = shortId;

  metaOf(session: Session): string {
    return `${session.mode || '—'} · ${session.jobid ?? 'no job'} · ${session.status}`;
  }

  nameOf(session: Session): string {
    return sourceName(session.appname, session.id);
  }

  titleOf(session: Session): string {
    return `${this.nameOf(session)}\n${this.metaOf(session)}`;
  }
}
