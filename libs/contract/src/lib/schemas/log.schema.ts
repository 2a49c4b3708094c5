import { Type } from '@sinclair/typebox';
import { Limits } from '../limits';
import { ENTRY_TIME_PATTERN, LOG_FORMATS, LOG_LEVELS } from '../log';
import { CountSchema, JsonObjectSchema, Nullable, TimeSchema } from './common.schema';

const oneOf = <T extends string>(values: readonly T[], options: object = {}) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    { errorMessage: `must be one of ${values.join(', ')}`, ...options },
  );

export const LogLevelSchema = oneOf(LOG_LEVELS);

/** One log entry as the API returns it. `data` is present only when the entry has it. */
export const LogEntrySchema = Type.Object({
  /** Position in the session's whole history: 0, 1, 2, … without gaps. */
  seq: CountSchema,
  time: TimeSchema,
  level: LogLevelSchema,
  message: Type.String(),
  data: Type.Optional(JsonObjectSchema),
});

/** Response of `GET /sessions/{id}/log` in cursor mode, and the body of the `log` event. */
export const LogCursorPageSchema = Type.Object({
  entries: Type.Array(LogEntrySchema),
  /** The cursor to pass next. */
  cursor: CountSchema,
  /** Entries at and after the requested cursor that were evicted before they could be read. */
  dropped: CountSchema,
});

/** Response of `GET /sessions/{id}/log` in offset mode. */
export const LogOffsetPageSchema = Type.Object({
  entries: Type.Array(LogEntrySchema),
  /** Held entries passing the filters. */
  total: CountSchema,
  offset: CountSchema,
  limit: CountSchema,
  /** The session's `logCursor`. */
  cursor: CountSchema,
});

/** Response of `POST /sessions/{id}/log`. */
export const AppendResultSchema = Type.Object({ appended: CountSchema, cursor: CountSchema });

/**
 * A client's time for an entry: ENTRY_TIME_PATTERN says what the `date-time` format leaves
 * open (ajv's also takes a space for `T`, `+hh`, `+hhmm` and `:60`); the format adds real
 * dates and hours.
 */
export const EntryTimeInputSchema = Type.String({
  format: 'date-time',
  pattern: ENTRY_TIME_PATTERN.source,
  errorMessage: 'must be a full ISO-8601 date-time with Z or an offset, e.g. 2026-11-24T12:00:00.000Z',
  examples: ['2026-11-24T12:00:01.250Z', '2026-11-24T13:00:01.250+01:00'],
});

/**
 * One entry of a JSON append. `null` for level, data or time counts as absent. Beyond
 * what a schema can say: `message` is at most `messageMaxBytes` and `data` at most
 * `dataMaxBytes` of UTF-8 (serialised), and `time` falls within the years 0000–9999 once
 * in UTC (times are returned as `YYYY-MM-DDTHH:mm:ss.sssZ`).
 */
export const LogEntryInputSchema = Type.Object({
  message: Type.String(),
  level: Type.Optional(Nullable(LogLevelSchema)),
  data: Type.Optional(Nullable(JsonObjectSchema)),
  time: Type.Optional(Nullable(EntryTimeInputSchema)),
});

/**
 * Body of a JSON batch append; never with a `message` too (one of the two would be lost).
 * `message: null` counts as absent, as `null` does for every optional field.
 */
export const LogBatchInputSchema = Type.Object({
  entries: Type.Array(LogEntryInputSchema),
  message: Type.Optional(Type.Null({ errorMessage: 'must be absent beside entries (or null)' })),
});

/**
 * Body of a JSON append: one entry or a batch. A body with an `entries` array is a batch
 * (one entry never has one, and a batch never has a `message`); `entries: null` counts as
 * absent, so a body with it is one entry.
 */
export const LogAppendInputSchema = Type.Union([
  Type.Object({ ...LogEntryInputSchema.properties, entries: Type.Optional(Type.Null()) }),
  LogBatchInputSchema,
]);

/** Body of a text/plain append: one `info` entry per non-blank line. */
export const LogTextInputSchema = Type.String({ description: 'One info entry per non-blank line (\\n or \\r\\n)' });

/**
 * Query of `GET /sessions/{id}/log`, with the configured limits. Numbers come as text
 * and are digits only (`1.5`, `-1` and `x` are not non-negative integers). Each parameter
 * may be given once and never empty.
 */
export function logQuerySchema(limits: Pick<Limits, 'readMaxLimit' | 'offsetDefaultLimit'>) {
  // Only `limit` has a maximum (MAX_READ_LIMIT); cursors and offsets are any safe integer.
  const count = (max?: number, options: object = {}) =>
    Type.Integer({
      ...options,
      minimum: 0,
      maximum: max ?? Number.MAX_SAFE_INTEGER,
      errorMessage: {
        type: 'must be a non-negative integer',
        minimum: 'must be a non-negative integer',
        maximum: max === undefined ? 'must be a non-negative integer' : `must be at most ${max} (MAX_READ_LIMIT)`,
      },
    });
  return Type.Object({
    cursor: Type.Optional(count(undefined, { default: 0, description: 'Cursor mode: entries with seq >= cursor' })),
    offset: Type.Optional(
      count(undefined, { default: 0, description: 'Offset mode: held entries from this position' }),
    ),
    limit: Type.Optional(
      count(limits.readMaxLimit, {
        description: `Most entries returned: in offset mode ${Math.min(limits.offsetDefaultLimit, limits.readMaxLimit)} when not given, in cursor mode all`,
      }),
    ),
    level: Type.Optional(oneOf(LOG_LEVELS, { description: 'Entries at this level or more severe' })),
    // Never empty, as every parameter (`?q=` is a 400): stated here so that the document says so too.
    q: Type.Optional(Type.String({ minLength: 1, description: 'Message contains, case-insensitively' })),
    format: Type.Optional(oneOf(LOG_FORMATS, { default: 'json' })),
  });
}
