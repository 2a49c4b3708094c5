/** Log levels, least severe first: a level filter keeps its level and those after it. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Structured data attached to an entry: a JSON object. */
export type LogData = Record<string, unknown>;

/** One log entry as the API returns it. `data` is present only when the entry has it. */
export interface LogEntry {
  /** Position in the session's whole history: 0, 1, 2, … without gaps. */
  seq: number;
  time: string;
  level: LogLevel;
  message: string;
  data?: LogData;
}

/** One entry of a JSON append. `null` for level, data or time counts as absent. */
export interface LogEntryInput {
  message: string;
  level?: LogLevel | null;
  data?: LogData | null;
  /** Full ISO-8601 date-time with `Z` or an offset. */
  time?: string | null;
}

/** Body of a JSON batch append. */
export interface LogBatchInput {
  entries: LogEntryInput[];
}

/** Response of `GET /sessions/{id}/log` in cursor mode. */
export interface LogCursorPage {
  entries: LogEntry[];
  /** The cursor to pass next. */
  cursor: number;
  /** Entries at and after the requested cursor that were evicted before they could be read. */
  dropped: number;
}

/** Response of `GET /sessions/{id}/log` in offset mode. */
export interface LogOffsetPage {
  entries: LogEntry[];
  /** Held entries passing the filters. */
  total: number;
  offset: number;
  limit: number;
  /** The session's `logCursor`. */
  cursor: number;
}

/** Response of `POST /sessions/{id}/log`. */
export interface AppendResult {
  appended: number;
  cursor: number;
}

/** `format` query of a log read. */
export type LogFormat = 'json' | 'ndjson' | 'text';
export const LOG_FORMATS: readonly LogFormat[] = ['json', 'ndjson', 'text'];

/** Headers that carry the page figures for the ndjson and text formats. */
export const LOG_HEADERS = {
  cursor: 'X-Log-Cursor',
  dropped: 'X-Log-Dropped',
  total: 'X-Log-Total',
} as const;
