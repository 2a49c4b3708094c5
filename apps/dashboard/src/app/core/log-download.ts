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

  /** Resolves once the file is handed to the browser or the failure told (never rejects). */
  async save(session: Session, format: LogFileFormat): Promise<void> {
    try {
      const response = await this.api.call((client) => client.logs.downloadResponse(session.id, format), {
        timeoutMs: DOWNLOAD_TIMEOUT_MS,
      });
      // A Blob, not a string: the browser keeps it outside the page's heap (on disk when large).
      this.saveFile(await response.blob(), logFileName(session, format));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.notices.problem(`Could not download the log of ${session.appname}: ${reason}`);
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

/** What no file name can hold on Windows, macOS or Linux: control characters, path separators, `<>:"|?*`. */
// eslint-disable-next-line no-control-regex
const NOT_IN_FILE_NAMES = /[\u0000-\u001f\u007f"*/:<>?\\|]/g;

/** The most UTF-8 bytes a file name may take (ext4, APFS, NTFS in UTF-16 allows more). */
const MAX_FILE_NAME_BYTES = 255;

/**
 * `<appname>-<id>.log` (or `.ndjson`), with what a file name cannot hold as `_` (letters of any
 * script stay: "Éditeur" is saved as such), the app name shortened where the whole name would
 * pass a file system's 255 bytes, so that the id and the extension are always kept.
 */
export function logFileName(session: Pick<Session, 'appname' | 'id'>, format: LogFileFormat): string {
  const tail = `-${session.id}.${EXTENSIONS[format]}`.replace(NOT_IN_FILE_NAMES, '_');
  const encoder = new TextEncoder();
  let app = session.appname.replace(NOT_IN_FILE_NAMES, '_');
  const room = MAX_FILE_NAME_BYTES - encoder.encode(tail).length;
  while (encoder.encode(app).length > room) app = [...app].slice(0, -1).join('');
  return app + tail;
}
