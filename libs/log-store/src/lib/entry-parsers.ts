import {
  dataTooLarge,
  ENTRY_TIME_PATTERN,
  Limits,
  LOG_LEVELS,
  LogLevel,
  messageTooLong,
  tooManyEntries,
} from '@zen/contract';
import { addEntry, EntryBatch, emptyBatch, LEVEL_CODE } from './entry-batch';
import { InvalidEntryError, TooManyEntriesError } from './errors';

/** The limits an entry is parsed against. */
export type EntryLimits = Pick<Limits, 'messageMaxBytes' | 'dataMaxBytes' | 'batchMaxEntries'>;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const NOT_BLANK = /\S/;
const INFO = LEVEL_CODE.info;

/**
 * A text/plain body: one `info` entry per line. Lines are decoded one by one from
 * the buffer, so each message is a compact string of its own rather than a slice
 * that would keep the whole request body alive.
 */
export function parseTextEntries(body: Buffer, limits: EntryLimits, now: number): EntryBatch {
  const batch = emptyBatch();
  let start = 0;
  let line = 0;
  while (start < body.length) {
    const newline = body.indexOf(NEWLINE, start);
    const next = newline === -1 ? body.length : newline + 1;
    let end = newline === -1 ? body.length : newline;
    // Only \r\n ends a line with its \r: an unterminated last line keeps a final \r.
    if (newline !== -1 && end > start && body[end - 1] === CARRIAGE_RETURN) end--;
    line++;
    const message = body.toString('utf8', start, end);
    // A blank line is skipped whatever its length: only a line that would become an entry is held to the limit.
    if (NOT_BLANK.test(message)) {
      if (end - start > limits.messageMaxBytes) {
        throw new InvalidEntryError(messageTooLong(`line ${line}`, limits.messageMaxBytes));
      }
      batch.messages.push(message);
      batch.levels.push(INFO);
      batch.times.push(now);
    }
    start = next;
  }
  checkBatchSize(batch.messages.length, limits);
  return batch;
}

/** An application/json body: one entry object, or `{"entries": [...]}`; all valid or none. */
export function parseJsonEntries(body: unknown, limits: EntryLimits, now: number): EntryBatch {
  if (!isObject(body)) {
    throw new InvalidEntryError('request body must be a JSON object: one entry or {"entries": [...]}');
  }
  const batch = emptyBatch();
  const entries = body['entries'];
  // `null` counts as absent (API.md, Conventions): `"entries": null` beside a message, as
  // serialisers write an unset field (Go's nil slice, Jackson, System.Text.Json), is one entry.
  if (entries == null) {
    addEntryObject(batch, body, '', limits, now);
    return batch;
  }
  if (!Array.isArray(entries)) throw new InvalidEntryError('entries must be an array');
  // Neither shape: one of the two would be lost without a word (a `null` message loses nothing).
  if (body['message'] != null) {
    throw new InvalidEntryError('request body is either one entry (message) or a batch (entries), not both');
  }
  checkBatchSize(entries.length, limits);
  for (let i = 0; i < entries.length; i++) {
    addEntryObject(batch, entries[i], `entries[${i}].`, limits, now);
  }
  return batch;
}

/** Validates one entry object (its fields named under `path`) and adds it to the batch. */
function addEntryObject(batch: EntryBatch, entry: unknown, path: string, limits: EntryLimits, now: number): void {
  if (!isObject(entry)) throw new InvalidEntryError(`${path ? path.slice(0, -1) : 'entry'} must be an object`);
  const { message, level, data, time } = entry;
  if (message === undefined || message === null) throw new InvalidEntryError(`${path}message is required`);
  if (typeof message !== 'string') throw new InvalidEntryError(`${path}message must be a string`);
  // Only long strings can exceed the limit: a UTF-16 unit is at most 3 UTF-8 bytes.
  if (message.length * 3 > limits.messageMaxBytes && Buffer.byteLength(message) > limits.messageMaxBytes) {
    throw new InvalidEntryError(messageTooLong(`${path}message`, limits.messageMaxBytes));
  }
  const levelCode = parseLevel(level, path);
  const at = time == null ? now : parseTime(time, path);
  addEntry(batch, message, levelCode, at, data == null ? undefined : serialiseData(data, path, limits));
}

function parseLevel(level: unknown, path: string): number {
  if (level == null) return INFO;
  if (typeof level !== 'string' || !Object.hasOwn(LEVEL_CODE, level)) {
    throw new InvalidEntryError(`${path}level must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return LEVEL_CODE[level as LogLevel];
}

/**
 * The last flat `data` serialised. Loggers often send one small object with every entry
 * (`zen-sessions run`: `{"stream": "stdout"}` on each line), and an object equal to it key by
 * key serialises the same: a comparison per key instead of a `JSON.stringify`, and the
 * entries share one string.
 */
let lastData: { keys: string[]; values: unknown[]; json: string } | null = null;

/** `data` as stored: JSON text within MAX_DATA_BYTES, or an InvalidEntryError naming `path`. */
export function serialiseData(data: unknown, path: string, limits: EntryLimits): string {
  if (!isObject(data)) throw new InvalidEntryError(`${path}data must be an object`);
  const json = lastData && sameFlatData(data, lastData) ? lastData.json : serialiseNewData(data, path);
  if (json.length * 3 > limits.dataMaxBytes && Buffer.byteLength(json) > limits.dataMaxBytes) {
    throw new InvalidEntryError(dataTooLarge(`${path}data`, limits.dataMaxBytes));
  }
  return json;
}

function sameFlatData(data: Record<string, unknown>, last: NonNullable<typeof lastData>): boolean {
  let i = 0;
  for (const key in data) {
    if (key !== last.keys[i] || data[key] !== last.values[i]) return false;
    i++;
  }
  return i === last.keys.length;
}

function serialiseNewData(data: Record<string, unknown>, path: string): string {
  let json: string;
  try {
    json = JSON.stringify(data);
  } catch {
    throw new InvalidEntryError(`${path}data is nested too deeply to serialise`);
  }
  // Rare: only a serialisation with a null can hide a number JSON.parse read as ±Infinity.
  const outOfRange = json.includes('null') ? outOfRangeNumberPath(data, 'data') : null;
  if (outOfRange !== null) throw new InvalidEntryError(`${path}${outOfRange} ${OUT_OF_RANGE}`);
  const values = Object.values(data);
  // Only primitives compare by value: an object value is a new object in every request.
  if (values.every((value) => value === null || typeof value !== 'object')) {
    lastData = { keys: Object.keys(data), values, json };
  }
  return json;
}

/** Why a number such as `1e400` is refused, after the path naming it. */
export const OUT_OF_RANGE = `is a number out of range (JSON numbers are read as 64-bit floats: at most about ±1.8e308)`;

/**
 * Where parsed JSON holds a number no 64-bit float holds (JSON.parse reads `1e400` as
 * Infinity, which JSON.stringify writes as `null`: stored, it would come back changed), as a
 * path from `root` (`data.list[2].ms`), or null. Iterative: as deep as JSON.stringify goes.
 */
export function outOfRangeNumberPath(value: unknown, root: string): string | null {
  const stack: [unknown, string][] = [[value, root]];
  while (stack.length > 0) {
    const [item, path] = stack.pop() as [unknown, string];
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) return path;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${path}[${i}]`]);
    } else if (typeof item === 'object' && item !== null) {
      const record = item as Record<string, unknown>;
      const keys = Object.keys(record);
      for (let i = keys.length - 1; i >= 0; i--) stack.push([record[keys[i]], `${path}.${keys[i]}`]);
    }
  }
  return null;
}

// Times are returned as `YYYY-MM-DDTHH:mm:ss.sssZ`, which only years 0000–9999 fit.
const EARLIEST_TIME = Date.parse('0000-01-01T00:00:00.000Z');
const LATEST_TIME = Date.parse('9999-12-31T23:59:59.999Z');

/**
 * The last time parsed. Loggers stamp many entries with the same millisecond (the CLI's
 * 1,000,000-line run: half the server's CPU per entry went to parsing times), and a string
 * parses the same every time, so a repeat costs one comparison.
 */
let lastTime: { text: unknown; ms: number } = { text: Symbol('none yet'), ms: 0 };

/** A full RFC 3339 date-time (seconds and a zone required) → milliseconds since the epoch. */
export function parseTime(value: unknown, path: string): number {
  if (value === lastTime.text) return lastTime.ms;
  const ms = parseNewTime(value, path);
  lastTime = { text: value, ms };
  return ms;
}

/**
 * ENTRY_TIME_PATTERN's shape (the same groups) with any two digits of seconds, so that a leap
 * second is told as its field (`unrealField`) rather than as a time of the wrong shape.
 */
const TIME_SHAPE = new RegExp(ENTRY_TIME_PATTERN.source.replace(':([0-5]\\d)', ':(\\d{2})'));

function parseNewTime(value: unknown, path: string): number {
  const match = typeof value === 'string' ? TIME_SHAPE.exec(value) : null;
  // The shape is right: say which field is not a real one (Date.parse lets some through, e.g. 02-30).
  const unreal = match && unrealField(match);
  if (unreal) throw new InvalidEntryError(`${path}time is not a real date-time: ${unreal}`);
  const ms = match ? Date.parse(value as string) : NaN;
  if (Number.isNaN(ms)) {
    throw new InvalidEntryError(
      `${path}time must be a full ISO-8601 date-time with Z or an offset, e.g. 2026-11-24T12:00:00.000Z`,
    );
  }
  // An offset can carry 0000-01-01 or 9999-12-31 out of that range once converted to UTC.
  if (ms < EARLIEST_TIME || ms > LATEST_TIME) {
    throw new InvalidEntryError(`${path}time must fall within the years 0000–9999 in UTC`);
  }
  return ms;
}

/** The first field of a matched time that names no real date or time, as a message says it; null when all are real. */
function unrealField(match: RegExpExecArray): string | null {
  const [year, month, day, hour, minute] = match.slice(1, 6).map(Number);
  if (month < 1 || month > 12) return `month ${match[2]} is not 01–12`;
  if (day < 1 || day > daysInMonth(year, month)) return `${match[1]}-${match[2]} has no day ${match[3]}`;
  if (hour > 23) return `hour ${match[4]} is not 00–23`;
  if (minute > 59) return `minute ${match[5]} is not 00–59`;
  // Stored times are JavaScript milliseconds, which hold no leap second (ENTRY_TIME_PATTERN: 00–59).
  if (Number(match[6]) > 59) return `second ${match[6]} is not 00–59 (no leap seconds)`;
  if (match[9] !== undefined && (Number(match[10]) > 23 || Number(match[11]) > 59)) {
    return `offset ${match[9]}${match[10]}:${match[11]} is not within ±23:59`;
  }
  return null;
}

const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * On the proleptic Gregorian calendar, as ISO 8601 counts: 0000 is a leap year. (Not by
 * Date.UTC, which reads the years 0–99 as 1900–1999: 1900 is not one.)
 */
function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month];
}

function checkBatchSize(count: number, limits: EntryLimits): void {
  if (count > limits.batchMaxEntries) {
    throw new TooManyEntriesError(tooManyEntries(count, limits.batchMaxEntries));
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
