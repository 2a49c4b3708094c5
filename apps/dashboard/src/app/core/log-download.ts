import { DOCUMENT } from '@angular/common';
import { inject, Injectable } from '@angular/core';
import { Session } from '@zen/contract';
import { Notices } from './notices';
import { ServerApi } from './server-api';

/** The formats the server writes a log download in. */
export type LogFileFormat = 'text' | 'ndjson';
const EXTENSIONS: Record<LogFileFormat, string> = { text: 'log', ndjson: 'ndjson' };

/**
 * How long a download may wait for the server's answer: past a Redis replica's turn among large
 * reads (REDIS_LARGE_READ_WAIT_MS, 30 s by default), whose refusal should be told, not timed out.
 */
const DOWNLOAD_TIMEOUT_MS = 120_000;

/** How long the saved file's object URL is kept: the browser has started the download by then. */
const KEEP_FILE_URL_MS = 60_000;

/**
 * Saves a session's log as a file, read with the typed client instead of by following a link: a
 * link's failure shows only as the browser's "Failed – Server problem", while here the server's
 * reason (a Redis replica's too many large reads at once, a server gone) is told in a snack bar.
 * The token goes as a header, not in a URL kept in the browser's download history.
 */
@Injectable({ providedIn: 'root' })
export class LogDownload {
  private readonly api = inject(ServerApi);
  private readonly notices = inject(Notices);
  private readonly document = inject(DOCUMENT);

  /** Resolves once the file is handed to the browser (true) or the failure told (false). */
  async save(session: Session, format: LogFileFormat): Promise<boolean> {
    try {
      const response = await this.api.call((client) => client.logs.downloadResponse(session.id, format), {
        timeoutMs: DOWNLOAD_TIMEOUT_MS,
      });
      // A Blob, not a string: the browser keeps it outside the page's heap (on disk when large).
      this.saveFile(await response.blob(), logFileName(session, format));
      return true;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.notices.problem(`Could not download the log of ${session.appname}: ${reason}`);
      return false;
    }
  }

  private saveFile(file: Blob, name: string): void {
    const url = URL.createObjectURL(file);
    const link = this.document.createElement('a');
    link.href = url;
    link.download = name;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), KEEP_FILE_URL_MS);
  }
}

/** `<appname>-<id>.log` (or `.ndjson`), with what a file name cannot hold as `_`. */
function logFileName(session: Session, format: LogFileFormat): string {
  return `${session.appname}-${session.id}`.replace(/[^\w.-]/g, '_') + `.${EXTENSIONS[format]}`;
}
