import { DatePipe, KeyValuePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Session } from '@zen/contract';
import { CopyText } from '../core/copy-text';
import { ServerUrls } from '../core/server-urls';

/** Every property of the selected session, its metadata, and links to download its log. */
@Component({
  selector: 'zen-session-detail',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, KeyValuePipe, MatButtonModule],
  templateUrl: './session-detail.html',
  styleUrl: './session-detail.scss',
})
export class SessionDetail {
  private readonly urls = inject(ServerUrls);
  private readonly clipboard = inject(CopyText);
  readonly session = input.required<Session>();
  readonly isServer = input(false);
  /** Asks for the merged view of every session with the same job id or app name. */
  readonly showAlike = output<'jobid' | 'appname'>();

  readonly textLink = computed(() => this.urls.link(`sessions/${this.session().id}/log?format=text`));
  readonly ndjsonLink = computed(() => this.urls.link(`sessions/${this.session().id}/log?format=ndjson`));

  json(value: unknown): string {
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  copyId(): void {
    this.clipboard.copy(this.session().id, 'id');
  }
}
