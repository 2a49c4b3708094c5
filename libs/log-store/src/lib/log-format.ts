import { LOG_HEADERS, LOG_LEVELS, LogFormat } from '@zen/contract';
import { levelName } from './entry-batch';
import { CursorSlice, PageSlice, StoredEntry } from './log-store';

/**
 * Log entries to wire formats. JSON is assembled by hand: the store holds columns
 * and `data` as JSON text already, so building objects only to stringify them again
 * would double the work on the read and push paths.
 */
export function entryJson(entry: StoredEntry): string {
  const data = entry.data === undefined ? '' : `,"data":${entry.data}`;
  return `{"seq":${entry.seq},"time":"${isoTime(entry.time)}","level":"${levelName(entry.level)}","message":${JSON.stringify(entry.message)}${data}}`;
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

/** Times toISOString writes in the plain `YYYY-MM-DDTHH:MM:SS.mmmZ` shape (years 0–9999). */
const MAX_PLAIN_TIME = Date.UTC(10000, 0, 1);
/** The second (since the epoch) whose `YYYY-MM-DDTHH:MM:SS.` is in `secondPrefix`. */
let second = NaN;
let secondPrefix = '';

/**
 * `new Date(ms).toISOString()`, without a Date and its formatting per entry: a log's
 * neighbouring entries mostly share their second, whose text is kept (one for the process,
 * as memory/iso-times.ts does for bytes), and the milliseconds are added as digits.
 */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms < MAX_PLAIN_TIME)) return new Date(ms).toISOString();
  const at = Math.floor(ms / 1000);
  if (at !== second) {
    secondPrefix = new Date(at * 1000).toISOString().slice(0, 20);
    second = at;
  }
  const millis = Math.floor(ms) - at * 1000;
  return secondPrefix + (millis < 10 ? `00${millis}` : millis < 100 ? `0${millis}` : millis) + 'Z';
}

/** `<time> <LEVEL> <message>` per line; line breaks inside a message are written as `\n`. */
export function entriesText(entries: StoredEntry[]): string {
  let text = '';
  for (const entry of entries) {
    const message = entry.message.replace(/\r\n|\n|\r/g, '\\n');
    text += `${isoTime(entry.time)} ${LEVEL_LABELS[entry.level]} ${message}\n`;
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
