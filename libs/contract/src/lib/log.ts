import type { Static } from '@sinclair/typebox';
import type {
  AppendResultSchema,
  LogBatchInputSchema,
  LogCursorPageSchema,
  LogEntryInputSchema,
  LogEntrySchema,
  LogOffsetPageSchema,
  logQuerySchema,
} from './schemas/log.schema';

// The types are the schemas' (./schemas): one statement of each shape.

/** Log levels, least severe first: a level filter keeps its level and those after it. */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** `format` query of a log read. */
export const LOG_FORMATS = ['json', 'ndjson', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/**
 * A client's time for a log entry (API.md: a full ISO-8601 date-time with `Z` or an offset):
 * RFC 3339's date-time with `T` (or `t`), seconds 00–59 (no leap second) and the zone `Z` (or
 * `z`) or `±hh:mm`. Groups: year, month, day, hour, minute, second, fraction, zone, and the
 * offset's sign, hours and minutes. Whether the date and hours are real is checked apart.
 */
export const ENTRY_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):([0-5]\d)(\.\d+)?([Zz]|([+-])(\d{2}):(\d{2}))$/;

/** Structured data attached to an entry: a JSON object. */
export type LogData = Record<string, unknown>;

/** One log entry as the API returns it. `data` is present only when the entry has it. */
export type LogEntry = Static<typeof LogEntrySchema>;
/** One entry of a JSON append. `null` for level, data or time counts as absent. */
export type LogEntryInput = Static<typeof LogEntryInputSchema>;
/** Body of a JSON batch append. */
export type LogBatchInput = Static<typeof LogBatchInputSchema>;
/** Response of `GET /sessions/{id}/log` in cursor mode. */
export type LogCursorPage = Static<typeof LogCursorPageSchema>;
/** Response of `GET /sessions/{id}/log` in offset mode. */
export type LogOffsetPage = Static<typeof LogOffsetPageSchema>;
/** Response of `POST /sessions/{id}/log`. */
export type AppendResult = Static<typeof AppendResultSchema>;
/** Query of `GET /sessions/{id}/log`, once validated (numbers as numbers). */
export type LogQueryInput = Static<ReturnType<typeof logQuerySchema>>;

/** Headers that carry the page figures for the ndjson and text formats. */
export const LOG_HEADERS = {
  cursor: 'X-Log-Cursor',
  dropped: 'X-Log-Dropped',
  total: 'X-Log-Total',
} as const;

/** `text` as a RegExp source that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The `q=<text>` filter as the contract states it: the message contains `text`, case-insensitively. */
export function containsTextPattern(text: string): RegExp {
  return new RegExp(escapeRegExp(text), 'iu');
}
