import { DEFAULT_LIMITS } from '@zen/contract';
import { isAscii, isUtf8 } from 'node:buffer';
import { parseJsonEntries } from './entry-parsers';
import { EntryBatch, LEVEL_CODE } from './entry-batch';
import { scanJsonBatch, stampedBatch } from './json-batch-scanner';
import { seededRandom, TRICKY_TEXT_PIECES } from '@zen/testing';

const NOW = Date.UTC(2026, 11, 2, 21, 55);
const SMALL = { messageMaxBytes: 24, dataMaxBytes: 40, batchMaxEntries: 6 };
const LIMITS = { ...DEFAULT_LIMITS, ...SMALL };

type Outcome = EntryBatch | { error: string; message: string };

/** What the server's JSON path gives today: JSON.parse of the whole body, then parseJsonEntries. */
function slowPath(body: Buffer, limits = LIMITS): Outcome {
  try {
    return parseJsonEntries(JSON.parse(body.toString('utf8')), limits, NOW);
  } catch (error) {
    return { error: (error as Error).constructor.name, message: (error as Error).message };
  }
}

/** The scanner, falling back to the slow path where it declines; `fast` says whether it took the body. */
function scanned(body: Buffer, limits = LIMITS): { outcome: Outcome; fast: boolean } {
  const batch = scanJsonBatch(body, isAscii(body), limits);
  return batch ? { outcome: stampedBatch(batch, NOW), fast: true } : { outcome: slowPath(body, limits), fast: false };
}

/** Entries as a logger hands them over (LogEntryInput), with raw JSON for data the client could not make. */
interface Entry {
  message: string;
  level?: string;
  time?: string;
  data?: Record<string, unknown>;
}

/**
 * The body as libs/client's BatchEncoder writes it: `{"entries":[…]}`, keys in the order
 * time, level (left out for info), message, data, no whitespace. (A copy of its layout: the
 * server's libs may not import the client's.)
 */
function encoded(entries: Entry[]): Buffer {
  const parts = entries.map(({ message, level, time, data }) => {
    const head = `{${time ? `"time":${JSON.stringify(time)},` : ''}${level && level !== 'info' ? `"level":"${level}",` : ''}`;
    return `${head}"message":${JSON.stringify(message)}${data ? `,"data":${JSON.stringify(data)}` : ''}}`;
  });
  return Buffer.from(`{"entries":[${parts.join(',')}]}`);
}

const TIMES = [
  '2026-12-02T21:55:00.123Z',
  '2026-12-02T21:55:00.124Z',
  '2026-12-02T21:55:00Z',
  '2026-12-02t21:55:00.5+02:00',
  '2026-12-02T21:55:00.123456789-11:30',
  '0000-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '9999-12-31T23:59:59.999-01:00',
  '2026-02-29T00:00:00Z',
  '2026-13-01T00:00:00Z',
  '2026-12-02 21:55:00Z',
  '2026-12-02T21:55:00',
  '',
  'yesterday',
];
const DATA: Record<string, unknown>[] = [
  { stream: 'stdout' },
  { stream: 'stderr' },
  { ms: 5, ok: true, none: null },
  { nested: { a: [1, 2, { b: 'c' }] } },
  { ключ: 'значение ✓', quote: '"\\' },
  { big: 'y'.repeat(36) },
  { n: -1.5e-7, e: 1e21 },
  {},
];

function randomMessage(random: () => number): string {
  if (random() < 0.1) return '';
  if (random() < 0.15) return 'a'.repeat(SMALL.messageMaxBytes - 2 + Math.floor(random() * 4)); // around the limit
  if (random() < 0.1) return 'é'.repeat(SMALL.messageMaxBytes / 2 - 1 + Math.floor(random() * 3));
  let message = '';
  const pieces = 1 + Math.floor(random() * 3);
  for (let i = 0; i < pieces; i++) message += TRICKY_TEXT_PIECES[Math.floor(random() * TRICKY_TEXT_PIECES.length)];
  return message;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)];
}

function randomEntries(random: () => number): Entry[] {
  const count = Math.floor(random() * 8); // up to one past SMALL.batchMaxEntries
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const repeat = i > 0 && random() < 0.5; // loggers repeat time, level and data entry after entry
    const previous = entries[i - 1];
    entries.push({
      message: randomMessage(random),
      level: repeat ? previous.level : random() < 0.5 ? undefined : pick(random, Object.keys(LEVEL_CODE)),
      time: repeat ? previous.time : random() < 0.3 ? undefined : pick(random, TIMES),
      data: repeat ? previous.data : random() < 0.4 ? undefined : pick(random, DATA),
    });
  }
  return entries;
}

/** Bytes a mutation inserts: JSON's own punctuation and whitespace mostly, so that some results stay valid. */
const INSERTED = Buffer.from('{}[]":,\\ \t\n\r0-.eEtrufalsn"u\u00e9');

/** One byte deleted, inserted or changed, or whitespace after a punctuation mark. */
function mutated(body: Buffer, random: () => number): Buffer {
  const at = Math.floor(random() * body.length);
  const choice = random();
  if (choice < 0.3) return Buffer.concat([body.subarray(0, at), body.subarray(at + 1)]);
  const byte = Buffer.from([INSERTED[Math.floor(random() * INSERTED.length)]]);
  if (choice < 0.6) return Buffer.concat([body.subarray(0, at), byte, body.subarray(at)]);
  if (choice < 0.8) return Buffer.concat([body.subarray(0, at), byte, body.subarray(at + 1)]);
  const punctuation = body.indexOf(pick(random, [':', ',', '{', '[']), at);
  if (punctuation === -1) return body;
  return Buffer.concat([body.subarray(0, punctuation + 1), Buffer.from(' '), body.subarray(punctuation + 1)]);
}

/** An entry's keys reordered, duplicated (JSON.parse keeps the last), joined by one it does not know, or its message left out. */
function reshaped(entries: Entry[], random: () => number): Buffer {
  const parts = entries.map((entry) => {
    const fields = Object.entries(entry)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => `"${key}":${JSON.stringify(value)}`);
    const choice = random();
    if (choice < 0.3) fields.reverse();
    else if (choice < 0.5) fields.push(`"message":${JSON.stringify(randomMessage(random))}`);
    else if (choice < 0.6) fields.unshift(`"level":${pick(random, ['null', '"info"', '"fatal"', '"WARN"', '3'])}`);
    else if (choice < 0.7) fields.push(`"time":${pick(random, ['null', '0', `"${TIMES[0]}"`])}`);
    else if (choice < 0.8) fields.push(`"data":${pick(random, ['null', '[]', '"x"', '{"a":1,"a":2}', '{ "a" : 1 }'])}`);
    else if (choice < 0.85) fields.push(`"extra":1`);
    else if (choice < 0.9)
      fields.splice(
        fields.findIndex((field) => field.startsWith('"message"')),
        1,
      );
    return `{${fields.join(',')}}`;
  });
  return Buffer.from(`{"entries":[${parts.join(',')}]}`);
}

describe('scanJsonBatch', () => {
  it('reads the encoder’s batch with every key, level and kind of message', () => {
    const body = encoded([
      { message: 'plain', time: TIMES[0], level: 'warn', data: { stream: 'stdout' } },
      { message: 'same time and data', time: TIMES[0], level: 'warn', data: { stream: 'stdout' } },
      { message: 'tab\there "quoted" \\ \u0001 \ud800 ✓', level: 'debug' },
      { message: '', level: 'error', data: { stream: 'stderr' } },
      { message: 'héllo', level: 'info', time: TIMES[3] },
    ]);
    const { outcome, fast } = scanned(body, DEFAULT_LIMITS);
    expect(fast).toBe(true);
    expect(outcome).toStrictEqual(slowPath(body, DEFAULT_LIMITS));
    expect((outcome as EntryBatch).times[2]).toBe(NOW);
  });

  it('declines what it does not handle, so that the JSON.parse path answers', () => {
    const declined = [
      '{"message":"one entry"}',
      '{"entries":[{"message":"a"}]} ',
      '{ "entries":[{"message":"a"}]}',
      '{"entries":[{"message":"a"}],"entries":[]}',
      '{"entries":[{"message":"a","message":"b"}]}',
      '{"entries":[{"message":"a","level":null}]}',
      '{"entries":[{"message":"a","other":1}]}',
      '{"entries":[{"message":"a"},{"level":"warn"}]}',
      '{"entries":[{"mess\\u0061ge":"a"}]}',
      '{"entries":[{"message":"a\u0001"}]}',
      '{"entries":[{"message":"a\\x"}]}',
      '{"entries":[{"message":"a","time":""}]}',
      `{"entries":[{"message":"${'a'.repeat(SMALL.messageMaxBytes + 1)}"}]}`,
      `{"entries":[${'{"message":"a"},'.repeat(SMALL.batchMaxEntries)}{"message":"a"}]}`,
      '{"entries":[{"message":"a"},]}',
    ];
    for (const body of declined) expect(scanJsonBatch(Buffer.from(body), true, LIMITS)).toBeNull();
  });

  it('gives what the JSON.parse path gives for the encoder’s batches and their mutations', () => {
    const random = seededRandom(20261202);
    let fast = 0;
    let cases = 0;
    for (let round = 0; round < 1500; round++) {
      const entries = randomEntries(random);
      const body = encoded(entries);
      const limits = round % 5 === 0 ? DEFAULT_LIMITS : LIMITS;
      const expected = slowPath(body, limits);
      const actual = scanned(body, limits);
      expect(actual.outcome).toStrictEqual(expected);
      // Every valid batch the encoder writes takes the fast path.
      expect(actual.fast).toBe(!('error' in expected));
      cases++;
      for (const variant of [
        mutated(body, random),
        mutated(mutated(body, random), random),
        reshaped(entries, random),
      ]) {
        if (!isUtf8(variant)) continue; // refused before parsing (request-body.ts)
        const result = scanned(variant, limits);
        expect({ body: variant.toString(), outcome: result.outcome }).toStrictEqual({
          body: variant.toString(),
          outcome: slowPath(variant, limits),
        });
        if (result.fast) fast++;
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(5000);
    expect(fast).toBeGreaterThan(300); // the variants that stay canonical are read fast, too
  });

  it('follows JSON.parse on duplicate data keys, whose last value wins in the first one’s place', () => {
    const body = Buffer.from('{"entries":[{"message":"a","data":{"a":1,"b":2,"a":3}}]}');
    const batch = scanJsonBatch(body, true, LIMITS);
    expect(batch && stampedBatch(batch, NOW).data).toStrictEqual(['{"a":3,"b":2}']);
  });

  it('remembers the last data by a copy of its bytes, not a view of a body whose memory is reused', () => {
    const first = Buffer.from('{"entries":[{"message":"a","data":{"n":1}}]}');
    expect(scanJsonBatch(first, true, LIMITS)?.batch.data).toStrictEqual(['{"n":1}']);
    first.write('{"entries":[{"message":"a","data":{"n":2}}]}'); // the next request's body, in the same memory
    expect(scanJsonBatch(first, true, LIMITS)?.batch.data).toStrictEqual(['{"n":2}']);
  });

  it('checks data against its limit when it repeats the last one', () => {
    const body = encoded([{ message: 'a', data: { big: 'y'.repeat(36) } }]);
    expect(scanJsonBatch(body, true, DEFAULT_LIMITS)).not.toBeNull();
    expect(scanJsonBatch(body, true, LIMITS)).toBeNull();
  });
});
