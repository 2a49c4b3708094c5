import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Session } from '@zen/contract';
import { CopyText } from '../core/copy-text';
import { LogDownload, LogFileFormat } from '../core/log-download';
import { plural } from '../core/plural';
import { ServerUrls } from '../core/server-urls';
import { metadataText } from './session-table-model';

/**
 * Past this many characters a metadata value may pass its few clamped lines (it scrolls there),
 * so it takes keyboard focus to be scrolled without a mouse. Below it, it fits even at phone width.
 */
const SCROLLABLE_VALUE_CHARS = 120;

/** The download buttons, in order. */
const DOWNLOAD_FORMATS: { format: LogFileFormat; label: string }[] = [
  { format: 'text', label: 'Download log (text)' },
  { format: 'ndjson', label: 'Download log (NDJSON)' },
];

/** Every property of the selected session, its metadata, and links to download its log. */
@Component({
  selector: 'zen-session-detail',
  changeDetection: ChangeDetectionStrategy.OnPush,
  imports: [DatePipe, MatButtonModule],
  templateUrl: './session-detail.html',
  styleUrl: './session-detail.scss',
})
export class SessionDetail {
  private readonly urls = inject(ServerUrls);
  private readonly clipboard = inject(CopyText);
  private readonly downloads = inject(LogDownload);
  readonly session = input.required<Session>();
  readonly isServer = input(false);
  /** Asks for the merged view of every session with the same job id or app name. */
  readonly showAlike = output<'jobid' | 'appname'>();

  /**
   * The downloads whose answers are awaited, as `<id> <format>`: of this session or of one shown
   * before (the panel stays as the selection changes), so that another session's buttons work.
   */
  private readonly pending = signal<ReadonlySet<string>>(new Set());
  /** The formats of the shown session's log being downloaded, while their answers are awaited. */
  readonly downloading = computed(() => {
    const pending = this.pending();
    const id = this.session().id;
    return new Set(DOWNLOAD_FORMATS.map(({ format }) => format).filter((format) => pending.has(`${id} ${format}`)));
  });

  // The links stay for the browser's own "Save link as…" and a new tab; a plain click downloads
  // through LogDownload, which tells a failure's reason.
  readonly downloadLinks = computed(() =>
    DOWNLOAD_FORMATS.map(({ format, label }) => ({
      format,
      label,
      href: this.urls.link(`sessions/${this.session().id}/log?format=${format}`),
    })),
  );

  /** The log's counters as the server keeps them (by the entries' stored levels). */
  readonly logSummary = computed(() => {
    const { logCount, logCursor, warnCount, errorCount } = this.session();
    return `${logCount} held · ${logCursor} appended · ${plural(warnCount, 'warning', 'warnings')} · ${plural(errorCount, 'error', 'errors')}`;
  });

  /** The metadata by key, each value as shown. */
  readonly metadata = computed(() =>
    Object.entries(this.session().metadata)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => {
        const text = metadataText(value);
        return { key, text, scrollable: text.length > SCROLLABLE_VALUE_CHARS };
      }),
  );

  /** A plain click saves the log through LogDownload; with a modifier key or another button, the browser follows the link. */
  async download(event: MouseEvent, format: LogFileFormat): Promise<void> {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    const session = this.session();
    const key = `${session.id} ${format}`;
    if (this.pending().has(key)) return;
    this.pending.update((pending) => new Set(pending).add(key));
    try {
      await this.downloads.save(session, format);
    } finally {
      this.pending.update((pending) => new Set([...pending].filter((each) => each !== key)));
    }
  }

  copyId(): void {
    this.clipboard.copy(this.session().id, 'id');
  }
}
