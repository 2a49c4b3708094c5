import { Limits, LogLevel } from '@zen/contract';
import { LogAppendInputSchema, LogBatchInputSchema } from '@zen/contract/schemas';
import {
  appendBatch,
  EntryBatch,
  InvalidEntryError,
  LEVEL_CODE,
  MalformedJsonError,
  readAppendBody,
  scanJsonBatch,
  TooManyEntriesError,
} from '@zen/log-store';
import { seededRandom, TRICKY_TEXT_PIECES } from '@zen/testing';
import { isAscii, isUtf8 } from 'node:buffer';
import { ContractValidator } from '../common/contract-validator';
import { loadConfig } from '../config/load-config';

/**
 * The hand-written parsers of JSON appends (libs/log-store entry-parsers.ts and
 * json-batch-scanner.ts, written for speed) against the contract's statement of the body:
 * LogAppendInputSchema, checked by the server's ContractValidator, plus what a schema cannot
 * say (LogEntryInputSchema's note, API.md): a message of at most MAX_MESSAGE_BYTES, data of
 * at most MAX_DATA_BYTES serialised, at most MAX_BATCH_ENTRIES entries, and a time that falls
 * within the years 0000–9999 once in UTC (times are returned as `YYYY-MM-DDTHH:mm:ss.sssZ`).
 * Thousands of seeded bodies, valid and mutated: the parsers accept exactly the bodies the
 * contract accepts, and then give the entries the contract says.
 */

const NOW = Date.UTC(2026, 11, 2, 21, 55);
// The limits as the server reads them (config/load-config.ts): small ones, so that bodies
// around them are cheap, and the defaults.
const SMALL = loadConfig({ MAX_MESSAGE_BYTES: '24', MAX_DATA_BYTES: '40', MAX_BATCH_ENTRIES: '6' }).limits;
const DEFAULTS = loadConfig({}).limits;

/** One entry as appended: what a reader gets back, but for its seq. */
interface Appended {
  message: string;
  level: number;
  time: number;
  data: string | undefined;
}

type Outcome = { accepted: true; entries: Appended[] } | { accepted: false; error: string; message: string };

/**
 * What `POST /sessions/{id}/log` does with an application/json body that passed the body
 * checks (logs.controller.ts calls the same two functions): the batch scanner on the bytes,
 * else JSON.parse and parseJsonEntries, NOW standing for the time of receipt.
 */
function api(bytes: Buffer, limits: Limits): Outcome {
  try {
    const batch = appendBatch(readAppendBody(bytes, isAscii(bytes), true, limits), limits, NOW);
    return { accepted: true, entries: appendedOf(batch) };
  } catch (error) {
    return { accepted: false, error: (error as Error).constructor.name, message: (error as Error).message };
  }
}

function appendedOf(batch: EntryBatch): Appended[] {
  return batch.messages.map((message, i) => ({
    message,
    level: batch.levels[i],
    time: batch.times[i],
    data: batch.data?.[i],
  }));
}

const appendInput = new ContractValidator(LogAppendInputSchema);
const batchInput = new ContractValidator(LogBatchInputSchema);

/** The contract's answer; `tooMany`: the batch holds more than MAX_BATCH_ENTRIES entries. */
type Verdict = { accepted: true; entries: Appended[] } | { accepted: false; problems: string[]; tooMany: boolean };

/** What the contract says of the body. */
function contract(bytes: Buffer, limits: Limits): Verdict {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    return { accepted: false, problems: [`malformed JSON: ${(error as Error).message}`], tooMany: false };
  }
  const problems = appendInput.problems(body);
  let appended: Appended[] = [];
  if (problems.length === 0) {
    // The schema's union is exclusive: a body with `entries` is a batch, any other one entry.
    const items = batchInput.problems(body).length === 0 ? (body as { entries: Json[] }).entries : [body as Json];
    appended = items.map((item, i) => {
      const { message, level, time, data } = item as { message: string; level?: LogLevel; time?: string; data?: Json };
      const json = data == null ? undefined : JSON.stringify(data);
      const at = time == null ? NOW : instantOf(time);
      if (Buffer.byteLength(message) > limits.messageMaxBytes) problems.push(`[${i}] message too long`);
      if (json !== undefined && Buffer.byteLength(json) > limits.dataMaxBytes) problems.push(`[${i}] data too large`);
      if (!(at >= EARLIEST && at <= LATEST)) problems.push(`[${i}] time outside 0000–9999 in UTC`);
      return { message, level: LEVEL_CODE[level ?? 'info'], time: at, data: json };
    });
  }
  const entries = isObject(body) ? body['entries'] : undefined;
  const tooMany = Array.isArray(entries) && entries.length > limits.batchMaxEntries;
  if (tooMany) problems.push(`more than ${limits.batchMaxEntries} entries`);
  return problems.length > 0 ? { accepted: false, problems, tooMany } : { accepted: true, entries: appended };
}

/**
 * The instant a date-time the schema accepted denotes, in milliseconds, the fraction cut to
 * milliseconds: by arithmetic alone (not Date.parse, which the parser uses), on the proleptic
 * Gregorian calendar. It reads anything ajv's `date-time` format takes (a space for `T`, `+hh`,
 * `:60`), so that a schema that took those would show here; NaN for any other text.
 */
function instantOf(text: string): number {
  const match = /^(\d{4})-(\d\d)-(\d\d)[Tt\s](\d\d):(\d\d):(\d\d)(?:\.(\d+))?(?:[Zz]|([+-])(\d\d)(?::?(\d\d))?)$/.exec(
    text,
  );
  if (!match) return NaN;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  const millis = Number((match[7] ?? '').padEnd(3, '0').slice(0, 3));
  const offset = match[8] ? (match[8] === '-' ? -1 : 1) * (Number(match[9]) * 60 + Number(match[10] ?? 0)) : 0;
  const minutes = (daysFromCivil(year, month, day) * 24 + hour) * 60 + minute - offset;
  return (minutes * 60 + second) * 1000 + millis;
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

const EARLIEST = instantOf('0000-01-01T00:00:00.000Z');
const LATEST = instantOf('9999-12-31T23:59:59.999Z');

// ---- Bodies ------------------------------------------------------------------------------

type Random = () => number;
type Json = Record<string, unknown>;

const LEVELS = Object.keys(LEVEL_CODE) as LogLevel[];
const BAD_LEVELS = ['WARN', 'Info', 'fatal', 'warning', '', ' info', 'info ', 0, 3, true, {}, ['info']];
const NOT_STRINGS = [null, 0, -1.5, true, false, [], ['a'], {}, { message: 'a' }];
/** Times both sides should accept. */
const TIMES = [
  '2026-12-02T21:55:00.123Z',
  '2026-12-02T21:55:00Z',
  '2026-12-02t21:55:00.5+02:00',
  '2026-12-02T21:55:00.123456789-11:30',
  '2026-12-02T21:55:00.999999z',
  '2024-02-29T00:00:00Z',
  '2000-02-29T12:00:00Z',
  '0000-01-01T00:00:00.000Z',
  '0000-02-29T00:00:00Z',
  '0004-02-29T00:00:00Z',
  '0099-12-31T23:59:59Z',
  '9999-12-31T23:59:59.999Z',
  '1969-12-31T23:59:59.999Z',
  '2026-12-02T00:30:00+23:59',
];
/** Times that are not RFC 3339 date-times, or not real ones, or not within 0000–9999 in UTC. */
const BAD_TIMES = [
  '',
  'yesterday',
  '2026-12-02',
  '2026-12-02T21:55Z',
  '2026-12-02T21:55:00',
  '2026-12-02T21:55:00.Z',
  '2026-13-01T00:00:00Z',
  '2026-02-29T00:00:00Z',
  '2100-02-29T00:00:00Z',
  '2026-04-31T00:00:00Z',
  '2026-12-02T24:00:00Z',
  '2026-12-02T21:60:00Z',
  '2026-12-02T21:55:00+24:00',
  '2026-12-02T21:55:00+01:60',
  '+02026-12-02T21:55:00Z',
  '2026-12-02 21:55:00Z',
  '2026-12-02\t21:55:00Z',
  '2026-12-02T21:55:00+02',
  '2026-12-02T21:55:00+0200',
  '2016-12-31T23:59:60Z',
  '2016-12-31T23:59:60.5Z',
  '2017-01-01T00:59:60+01:00',
  '2026-12-02T21:55:00 Z',
  ' 2026-12-02T21:55:00Z',
  '0000-01-01T00:00:00+01:00',
  '9999-12-31T23:59:59.999-01:00',
  1_796_248_500_000,
  true,
  {},
  ['2026-12-02T21:55:00Z'],
];
const DATA: Json[] = [
  { stream: 'stdout' },
  { ms: 5, ok: true, none: null },
  { nested: { a: [1, 2, { b: 'c' }] } },
  { ключ: 'значение ✓' },
  { quote: '"\\', line: '\n' },
  { n: -1.5e-7, e: 1e21, z: -0 },
  { 2: 'b', 1: 'a' },
  JSON.parse('{"__proto__":{"polluted":true}}'),
  {},
];
const NOT_OBJECTS = [[], [1], 'x', '', 0, true];
const EXTRA_KEYS = ['extra', 'seq', 'Message', 'LEVEL', 'entries', '__proto__'];
const ANY_VALUES: unknown[] = [null, 0, 'x', true, [], {}, [{ message: 'a' }], { message: 'a' }];

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)];

/** A string of `bytes` UTF-8 bytes, near which the limits lie, made of one- to four-byte characters. */
function sized(random: Random, bytes: number): string {
  const unit = pick(random, ['a', 'é', '✓', '😀']);
  const size = Buffer.byteLength(unit);
  return unit.repeat(Math.floor(bytes / size)) + 'a'.repeat(bytes % size);
}

function validMessage(random: Random, limits: Limits): string {
  const choice = random();
  if (choice < 0.08) return '';
  if (choice < 0.25) return sized(random, limits.messageMaxBytes - Math.floor(random() * 3));
  let message = '';
  for (let i = 0, pieces = 1 + Math.floor(random() * 3); i < pieces; i++) message += pick(random, TRICKY_TEXT_PIECES);
  return message;
}

function validData(random: Random, limits: Limits): Json {
  if (random() < 0.2) {
    // `{"big":"…"}` is 10 bytes around the text: data just within the limit.
    return { big: sized(random, limits.dataMaxBytes - 10 - Math.floor(random() * 3)) };
  }
  return pick(random, DATA);
}

/** An entry the contract accepts: message, and each other field absent, null or valid. */
function validEntry(random: Random, limits: Limits): Json {
  const entry: Json = {};
  if (random() < 0.5) entry['time'] = random() < 0.2 ? null : pick(random, TIMES);
  if (random() < 0.5) entry['level'] = random() < 0.2 ? null : pick(random, LEVELS);
  entry['message'] = validMessage(random, limits);
  if (random() < 0.4) entry['data'] = random() < 0.2 ? null : validData(random, limits);
  return entry;
}

/** What makes an entry invalid (or, for an unknown key, leaves it valid). */
const ENTRY_MUTATIONS: ((entry: Json, random: Random, limits: Limits) => void)[] = [
  (entry) => delete entry['message'],
  (entry, random) => (entry['message'] = pick(random, NOT_STRINGS)),
  (entry, random, limits) => (entry['message'] = sized(random, limits.messageMaxBytes + 1 + Math.floor(random() * 3))),
  (entry, random) => (entry['level'] = pick(random, BAD_LEVELS)),
  (entry, random) => (entry['time'] = pick(random, BAD_TIMES)),
  (entry, random) => (entry['data'] = pick(random, NOT_OBJECTS)),
  (entry, random, limits) =>
    (entry['data'] = { big: sized(random, limits.dataMaxBytes - 9 + Math.floor(random() * 3)) }),
  // An own key, `__proto__` included (as JSON.parse makes it), that the contract ignores.
  (entry, random) =>
    Object.defineProperty(entry, pick(random, EXTRA_KEYS), {
      value: pick(random, ANY_VALUES),
      enumerable: true,
      writable: true,
      configurable: true,
    }),
];

/** What makes a body invalid, or changes its shape (single entry and batch). */
const BODY_MUTATIONS: ((body: unknown, random: Random, limits: Limits) => unknown)[] = [
  // An entry of the batch (or the single entry) mutated.
  (body, random, limits) => {
    const entries = isBatch(body) ? body.entries : [body];
    const entry = entries.length > 0 ? pick(random, entries) : undefined;
    if (isObject(entry)) pick(random, ENTRY_MUTATIONS)(entry, random, limits);
    return body;
  },
  // An entry that is not an object.
  (body, random) => {
    if (!isBatch(body) || body.entries.length === 0) return [body];
    body.entries[Math.floor(random() * body.entries.length)] = pick(random, [...NOT_OBJECTS, null, [{ message: 'a' }]]);
    return body;
  },
  // `entries` that is not an array, or null.
  (body, random) => ({ entries: pick(random, [null, 'x', 0, {}, { message: 'a' }, { 0: { message: 'a' } }]) }),
  // A body that is not an object.
  (body, random) => pick(random, [[body], [], 'x', 0, null, true]),
  // A single entry with `entries` too (a batch, or neither; `null`: still one entry).
  (body, random, limits) => {
    const entry = isObject(body) && !isBatch(body) ? body : validEntry(random, limits);
    entry['entries'] = pick(random, [[], [validEntry(random, limits)], null, 'x', {}]);
    return entry;
  },
  // A batch with an entry's fields beside `entries` (a null message: still a batch), or another key.
  (body, random, limits) => {
    const batch = isObject(body) && 'entries' in body ? body : { entries: [body] };
    const choice = random();
    if (choice < 0.4) return { ...validEntry(random, limits), ...batch };
    if (choice < 0.6) return { message: null, ...batch };
    return { ...batch, [pick(random, EXTRA_KEYS)]: 1 };
  },
  // One entry more than allowed, or exactly as many.
  (body, random, limits) => {
    const count = limits.batchMaxEntries + (random() < 0.5 ? 1 : 0);
    if (count > 100) return body;
    return { entries: Array.from({ length: count }, () => validEntry(random, limits)) };
  },
];

function validBody(random: Random, limits: Limits): unknown {
  if (random() < 0.3) return validEntry(random, limits);
  const count = Math.floor(random() * (Math.min(limits.batchMaxEntries, 7) + 1));
  return { entries: Array.from({ length: count }, () => validEntry(random, limits)) };
}

/**
 * The body as text: as libs/client's encoder lays a batch out (keys time, level, message,
 * data; no whitespace: the scanner's path), as JSON.stringify writes it, indented, with its
 * keys reversed, or with a key given twice (JSON.parse keeps the last).
 */
function serialised(body: unknown, random: Random): string {
  const choice = random();
  if (choice < 0.4 && isBatch(body)) return encoded(body.entries);
  if (choice < 0.7) return JSON.stringify(body);
  if (choice < 0.8) return JSON.stringify(body, null, pick(random, [1, '\t', '\r\n ']));
  if (choice < 0.9) return JSON.stringify(body, (_key, value: unknown) => (isObject(value) ? reversed(value) : value));
  const text = JSON.stringify(body);
  const key = pick(random, ['"message":', '"level":', '"time":', '"data":', '"entries":']);
  const at = text.indexOf(key);
  if (at === -1) return text;
  return `${text.slice(0, at)}${key}${JSON.stringify(pick(random, ANY_VALUES))},${text.slice(at)}`;
}

function encoded(entries: unknown[]): string {
  const parts = entries.map((entry) => {
    if (!isObject(entry)) return JSON.stringify(entry);
    const { time, level, message, data, ...rest } = entry;
    const fields = { time, level, message, data, ...rest };
    return JSON.stringify(fields);
  });
  return `{"entries":[${parts.join(',')}]}`;
}

function reversed(value: Json): Json {
  return Object.fromEntries(Object.entries(value).reverse());
}

/** One byte deleted, inserted or changed: mostly malformed JSON, sometimes another valid body. */
function byteMutated(text: string, random: Random): Buffer {
  const bytes = Buffer.from(text);
  const at = Math.floor(random() * bytes.length);
  const byte = Buffer.from([pick(random, [...Buffer.from('{}[]":,\\ 0-.etrufalsn')])]);
  const choice = random();
  if (choice < 0.3) return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1)]);
  if (choice < 0.6) return Buffer.concat([bytes.subarray(0, at), byte, bytes.subarray(at)]);
  return Buffer.concat([bytes.subarray(0, at), byte, bytes.subarray(at + 1)]);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBatch(body: unknown): body is { entries: unknown[] } {
  return isObject(body) && Array.isArray(body['entries']);
}

// ---- The check ---------------------------------------------------------------------------

describe('the JSON append parsers against the contract (LogAppendInputSchema and its limits)', () => {
  it('accept exactly the bodies the contract accepts, with the entries it says, on thousands of seeded bodies', () => {
    const random = seededRandom(20261203);
    const tally = { bodies: 0, accepted: 0, fast: 0, tooMany: 0 };
    const disagreements: string[] = [];
    for (let round = 0; round < 4000; round++) {
      const limits = round % 5 === 0 ? DEFAULTS : SMALL;
      let body = validBody(random, limits);
      for (let i = 0, mutations = Math.floor(random() * 3); i < mutations; i++) {
        body = pick(random, BODY_MUTATIONS)(body, random, limits);
      }
      const text = serialised(body, random);
      const bytes = random() < 0.05 ? byteMutated(text, random) : Buffer.from(text);
      if (!isUtf8(bytes)) continue; // refused before parsing (request-body.ts)
      const expected = contract(bytes, limits);
      const actual = api(bytes, limits);
      tally.bodies++;
      if (actual.accepted) tally.accepted++;
      if (actual.accepted && scanJsonBatch(bytes, isAscii(bytes), limits)) tally.fast++;
      if (!actual.accepted && actual.error === TooManyEntriesError.name) tally.tooMany++;
      if (!agree(expected, actual)) disagreements.push(report(bytes, limits, expected, actual));
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
    // Both answers are common, and the scanner's path is taken too.
    expect(tally.bodies).toBeGreaterThan(3500);
    expect(tally.accepted).toBeGreaterThan(tally.bodies / 4);
    expect(tally.bodies - tally.accepted).toBeGreaterThan(tally.bodies / 4);
    expect(tally.fast).toBeGreaterThan(300);
    expect(tally.tooMany).toBeGreaterThan(30);
  });

  // Disagreements the check above found, kept as plain cases: each side's answer is asserted.
  it.each([
    // A body with `entries` is a batch (the schema took it as one entry, ignoring `entries`),
    // and a batch with a `message` is neither shape: one of the two would be lost. A `null`
    // for either counts as absent (API.md, Conventions): then the body is the other shape.
    ['{"message":"a","entries":"x"}', false],
    ['{"message":"a","entries":null}', true],
    ['{"entries":null}', false],
    ['{"entries":[{"message":"b"}],"message":null}', true],
    ['{"message":null,"entries":[{"message":"b"},{"message":"c","level":"warn"}]}', true],
    ['{"message":"a","entries":[null]}', false],
    ['{"message":"a","entries":[{"message":"b"}]}', false],
    // Times: 0000 is a leap year (the parser read it as 1900); RFC 3339 as README states it
    // (the schema's date-time format also took a space, +hh, +hhmm and a leap second).
    ['{"message":"a","time":"0000-02-29T00:00:00Z"}', true],
    ['{"message":"a","time":"0100-02-29T00:00:00Z"}', false],
    ['{"message":"a","time":"0400-02-29T00:00:00Z"}', true],
    ['{"message":"a","time":"2026-12-02 21:55:00Z"}', false],
    ['{"message":"a","time":"2026-12-02T21:55:00+02"}', false],
    ['{"message":"a","time":"2026-12-02T21:55:00+0200"}', false],
    ['{"message":"a","time":"2016-12-31T23:59:60Z"}', false],
  ])('%s (accepted: %s) is answered alike by the contract and the parsers', (text, accepted) => {
    const bytes = Buffer.from(text);
    expect(contract(bytes, SMALL).accepted).toBe(accepted);
    expect(api(bytes, SMALL).accepted).toBe(accepted);
  });
});

/**
 * Both accept and give the same entries, or both reject, with an error the server answers
 * with a 4xx: TooManyEntriesError (413) when too many entries is all that is wrong, a 400
 * (InvalidEntryError, or MalformedJsonError) when the count is fine,
 * either when both are wrong (the parsers count entries first).
 */
function agree(expected: Verdict, actual: Outcome): boolean {
  if (expected.accepted || actual.accepted) {
    return expected.accepted && actual.accepted && JSON.stringify(expected.entries) === JSON.stringify(actual.entries);
  }
  if (expected.tooMany && expected.problems.length === 1) return actual.error === TooManyEntriesError.name;
  const allowed = [
    InvalidEntryError.name,
    MalformedJsonError.name,
    ...(expected.tooMany ? [TooManyEntriesError.name] : []),
  ];
  return allowed.includes(actual.error);
}

/** A disagreement in a few lines: the body (long ones cut) and each side's answer. */
function report(bytes: Buffer, limits: Limits, expected: Verdict, actual: Outcome): string {
  const cut = (text: string) => (text.length > 160 ? `${text.slice(0, 160)}… (${text.length} characters)` : text);
  const contractSays = expected.accepted
    ? `accepts ${cut(JSON.stringify(expected.entries))}`
    : `rejects: ${cut(expected.problems.join('; '))}`;
  const parsersSay = actual.accepted
    ? `accept ${cut(JSON.stringify(actual.entries))}`
    : `reject: ${actual.error}: ${cut(actual.message)}`;
  const which = limits === SMALL ? 'small limits' : 'default limits';
  return `body ${cut(bytes.toString())} (${which})\n  contract ${contractSays}\n  parsers ${parsersSay}`;
}
