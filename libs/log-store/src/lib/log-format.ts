import { LOG_HEADERS, LOG_LEVELS, LogFormat } from '@zen/contract';
import { levelName } from './entry-batch';
import { isoTimes } from './iso-times';
import { CursorSlice, PageSlice, StoredEntry } from './log-store';

/**
 * Log entries to wire formats. JSON is assembled by hand: the store holds columns
 * and `data` as JSON text already, so building objects only to stringify them again
 * would double the work on the read and push paths.
 */
export function entryJson(entry: StoredEntry): string {
  const data = entry.data === undefined ? '' : `,"data":${entry.data}`;
  return `{"seq":${entry.seq},"time":"${isoTimes.text(entry.time)}","level":"${levelName(entry.level)}","message":${JSON.stringify(entry.message)}${data}}`;
}

function entriesJson(entries: StoredEntry[]): string {
  let json = '[';
  for (let i = 0; i < entries.length; i++) {
    if (i > 0) json += ',';
    json += entryJson(entries[i]);
  }
  return json + ']';
}

/** `{"entries": [...], "cursor": M, "dropped": D}` */
export function cursorPageJson(slice: CursorSlice): string {
  return `{"entries":${entriesJson(slice.entries)},"cursor":${slice.cursor},"dropped":${slice.dropped}}`;
}

/** `{"entries": [...], "total": T, "offset": N, "limit": M, "cursor": C}` */
export function offsetPageJson(slice: PageSlice, offset: number, limit: number): string {
  return `{"entries":${entriesJson(slice.entries)},"total":${slice.total},"offset":${offset},"limit":${limit},"cursor":${slice.cursor}}`;
}

/** One entry object per line, each line ending in a newline. */
export function entriesNdjson(entries: StoredEntry[]): string {
  let text = '';
  for (const entry of entries) text += entryJson(entry) + '\n';
  return text;
}

/** Level names as the text format writes them, by level code. */
const LEVEL_LABELS = LOG_LEVELS.map((level) => level.toUpperCase());

/** `<time> <LEVEL> <message>` per line; line breaks inside a message are written as `\n`. */
export function entriesText(entries: StoredEntry[]): string {
  let text = '';
  for (const entry of entries) {
    const message = entry.message.replace(/\r\n|\n|\r/g, '\\n');
    text += `${isoTimes.text(entry.time)} ${LEVEL_LABELS[entry.level]} ${message}\n`;
  }
  return text;
}

/** Response headers as a flat `[name, value, name, value, …]` list, as `writeHead` takes them. */
export type HeaderList = readonly string[];

export const FORMAT_CONTENT_TYPES: Record<Exclude<LogFormat, 'json'>, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  text: 'text/plain; charset=utf-8',
};

/** The page figures that the ndjson and text formats carry as headers. */
export function pageHeaders(cursor: number, dropped: number, total: number): HeaderList {
  return [LOG_HEADERS.cursor, String(cursor), LOG_HEADERS.dropped, String(dropped), LOG_HEADERS.total, String(total)];
}
