import { DEFAULT_LIMITS } from '@zen/contract';
import { parseJsonEntries, parseTextEntries, parseTime } from './entry-parsers';
import { LEVEL_CODE } from './entry-batch';
import { InvalidEntryError, TooManyEntriesError } from './errors';

const NOW = Date.UTC(2026, 10, 24, 12);
const limits = { ...DEFAULT_LIMITS, messageMaxBytes: 10, dataMaxBytes: 20, batchMaxEntries: 3 };

describe('parseTextEntries', () => {
  const text = (body: string) => parseTextEntries(Buffer.from(body), limits, NOW);

  it('makes one info entry per line, at the time of receipt', () => {
    const batch = text('one\ntwo\r\nthree');
    expect(batch.messages).toEqual(['one', 'two', 'three']);
    expect(batch.levels).toEqual([LEVEL_CODE.info, LEVEL_CODE.info, LEVEL_CODE.info]);
    expect(batch.times).toEqual([NOW, NOW, NOW]);
    expect(batch.data).toBeNull();
  });

  it('adds no entry for a final line terminator and skips blank lines', () => {
    expect(text('a\n\n  \t\r\nb\r\n').messages).toEqual(['a', 'b']);
    expect(text('').messages).toEqual([]);
  });

  it('ends a line at \\n or \\r\\n only: a lone \\r, even at the end of the body, is part of the message', () => {
    expect(text('mid\rdle\nend\r').messages).toEqual(['mid\rdle', 'end\r']);
    expect(() => text('x'.repeat(10) + '\r')).toThrow(
      new InvalidEntryError('line 1 is longer than 10 bytes (MAX_MESSAGE_BYTES)'),
    );
  });

  it('skips a blank line longer than the message limit, and counts it when naming a later one', () => {
    expect(text('a\n' + ' \t'.repeat(20) + '\r\nb\n').messages).toEqual(['a', 'b']);
    expect(() => text(' '.repeat(20) + '\nok\n' + 'x'.repeat(11))).toThrow(
      new InvalidEntryError('line 3 is longer than 10 bytes (MAX_MESSAGE_BYTES)'),
    );
  });

  it('keeps multi-byte characters whole and measures lines in UTF-8 bytes', () => {
    expect(text('héllo ✓\n').messages).toEqual(['héllo ✓']);
    expect(text('✓✓✓\n').messages).toEqual(['✓✓✓']); // 9 bytes
    expect(() => text('ok\n✓✓✓✓\n')).toThrow(
      new InvalidEntryError('line 2 is longer than 10 bytes (MAX_MESSAGE_BYTES)'),
    );
  });

  it('rejects more lines than a batch may hold', () => {
    expect(() => text('a\nb\nc\nd\n')).toThrow(TooManyEntriesError);
  });
});

describe('parseJsonEntries', () => {
  const json = (body: unknown) => parseJsonEntries(body, limits, NOW);

  it('takes a single entry with defaults', () => {
    expect(json({ message: 'hi' })).toEqual({ messages: ['hi'], levels: [LEVEL_CODE.info], times: [NOW], data: null });
  });

  it('takes a batch in order, with levels, data as JSON text and times in UTC', () => {
    const batch = json({
      entries: [
        { message: 'a', level: 'warn', data: { ms: 5 } },
        { message: 'b', level: null, data: null, time: '2026-11-24T14:00:00.5+02:00' },
      ],
    });
    expect(batch.messages).toEqual(['a', 'b']);
    expect(batch.levels).toEqual([LEVEL_CODE.warn, LEVEL_CODE.info]);
    expect(batch.times).toEqual([NOW, NOW + 500]);
    expect(batch.data).toEqual(['{"ms":5}', undefined]);
  });

  it('counts a null entries or message beside the other shape as absent, as null counts for every optional field', () => {
    expect(json({ message: 'one', entries: null }).messages).toEqual(['one']);
    expect(json({ entries: [{ message: 'a' }, { message: 'b' }], message: null }).messages).toEqual(['a', 'b']);
  });

  it.each([
    [[], 'request body must be a JSON object: one entry or {"entries": [...]}'],
    [{ entries: null }, 'message is required'],
    [{ level: 'info' }, 'message is required'],
    [{ message: 5 }, 'message must be a string'],
    [{ message: 'x', level: 'fatal' }, 'level must be one of debug, info, warn, error'],
    [{ message: 'x', level: 'toString' }, 'level must be one of debug, info, warn, error'],
    [{ message: 'x', data: [1] }, 'data must be an object'],
    [
      { message: 'x', data: { text: 'more than twenty bytes' } },
      'data is larger than 20 bytes serialised (MAX_DATA_BYTES)',
    ],
    [{ message: '12345678901' }, 'message is longer than 10 bytes (MAX_MESSAGE_BYTES)'],
    [{ entries: {} }, 'entries must be an array'],
    [{ message: 'lost', entries: [{ message: 'ok' }] }, 'either one entry (message) or a batch (entries), not both'],
    [{ entries: [{ message: 'ok' }, 'x'] }, 'entries[1] must be an object'],
    [{ entries: [{ message: 'ok' }, { message: 'ok', time: 'yesterday' }] }, 'entries[1].time must be a full ISO-8601'],
  ])('rejects %j: %s', (body, message) => {
    expect(() => json(body)).toThrow(InvalidEntryError);
    expect(() => json(body)).toThrow(message);
  });

  it('serialises repeated flat data once per value, and data that differs in any key or value afresh', () => {
    const datas = [
      { s: 'out' },
      { s: 'out' },
      { s: 'err' },
      { s: 'err', n: 1 },
      { s: 'err' },
      { t: 'err' },
      {},
      { s: 'err' },
    ];
    const batch = parseJsonEntries(
      { entries: datas.map((data) => ({ message: 'x', data })) },
      { ...limits, batchMaxEntries: datas.length },
      NOW,
    );
    expect(batch.data).toEqual(datas.map((data) => JSON.stringify(data)));
  });

  it('serialises nested data afresh each time, since an equal nested object is a new object', () => {
    const batch = json({
      entries: [
        { message: 'x', data: { a: { b: 1 } } },
        { message: 'y', data: { a: { b: 2 } } },
      ],
    });
    expect(batch.data).toEqual(['{"a":{"b":1}}', '{"a":{"b":2}}']);
  });

  it('checks the data limit of the request at hand even when the same data was serialised before', () => {
    const data = { text: 'more than twenty bytes' };
    expect(parseJsonEntries({ message: 'x', data }, DEFAULT_LIMITS, NOW).data).toEqual([JSON.stringify(data)]);
    expect(() => json({ message: 'x', data: { ...data } })).toThrow('data is larger than 20 bytes serialised');
  });

  it('rejects data holding a number out of range (JSON.parse reads 1e400 as Infinity), naming where', () => {
    expect(() => json(JSON.parse('{"message":"n","data":{"k":1e400}}'))).toThrow(
      new InvalidEntryError(
        'data.k is a number out of range (JSON numbers are read as 64-bit floats: at most about ±1.8e308)',
      ),
    );
    expect(() =>
      json(JSON.parse('{"entries":[{"message":"a"},{"message":"n","data":{"a":[0,{"b":-1e999}]}}]}')),
    ).toThrow(/^entries\[1\]\.data\.a\[1\]\.b is a number out of range/);
    expect(json({ message: 'n', data: { k: null, s: 'nul' } }).data).toEqual(['{"k":null,"s":"nul"}']);
  });

  it('rejects a batch larger than the limit', () => {
    expect(() => json({ entries: [{ message: 'a' }, { message: 'b' }, { message: 'c' }, { message: 'd' }] })).toThrow(
      TooManyEntriesError,
    );
  });
});

describe('parseTime', () => {
  it.each([
    ['2026-11-24T12:00:00Z', NOW],
    ['2026-11-24T12:00:00.123456Z', NOW + 123],
    ['2026-11-24t13:30:00+01:30', NOW],
    ['2024-02-29T12:00:00Z', Date.UTC(2024, 1, 29, 12)],
    ['0000-01-01T00:00:00Z', Date.parse('0000-01-01T00:00:00Z')],
    // 0000 and 0400 are leap years (Date.UTC would read 0000 as 1900, which is not).
    ['0000-02-29T00:00:00Z', Date.parse('0000-02-29T00:00:00Z')],
    ['0400-02-29T00:00:00Z', Date.parse('0400-02-29T00:00:00Z')],
    ['9999-12-31T23:59:59.999Z', Date.parse('9999-12-31T23:59:59.999Z')],
  ])('accepts %s', (value, ms) => {
    expect(parseTime(value, '')).toBe(ms);
  });

  // Found by the black-box contract check: these came back as "+010000-…" and "-000001-…".
  it.each(['9999-12-31T23:59:59-01:00', '0000-01-01T00:00:00+01:00'])(
    'rejects %s, outside 0000–9999 once in UTC',
    (value) => {
      expect(() => parseTime(value, '')).toThrow('time must fall within the years 0000–9999 in UTC');
    },
  );

  it('answers a repeated time from its last parse, and a different or invalid one afresh', () => {
    expect(parseTime('2026-11-24T12:00:00.001Z', '')).toBe(NOW + 1);
    expect(parseTime('2026-11-24T12:00:00.001Z', '')).toBe(NOW + 1);
    expect(parseTime('2026-11-24T12:00:00.002Z', '')).toBe(NOW + 2);
    expect(() => parseTime('2026-11-24T12:00:00.002', '')).toThrow(InvalidEntryError);
    expect(parseTime('2026-11-24T12:00:00.002Z', '')).toBe(NOW + 2);
    expect(() => parseTime('', '')).toThrow(InvalidEntryError);
  });

  // The errors audit (stop 56): a time of the right shape was told it was not "a full ISO-8601 date-time".
  it.each([
    ['2026-13-01T00:00:00Z', 'time is not a real date-time: month 13 is not 01–12'],
    ['2026-00-10T00:00:00Z', 'time is not a real date-time: month 00 is not 01–12'],
    ['2026-02-29T00:00:00Z', 'time is not a real date-time: 2026-02 has no day 29'],
    ['2026-04-31T00:00:00Z', 'time is not a real date-time: 2026-04 has no day 31'],
    ['2026-11-24T24:00:00Z', 'time is not a real date-time: hour 24 is not 00–23'],
    ['2026-11-24T12:60:00Z', 'time is not a real date-time: minute 60 is not 00–59'],
    // A leap second (or second 75) is of the right shape too: it was told it was not a full date-time.
    ['2016-12-31T23:59:60Z', 'time is not a real date-time: second 60 is not 00–59 (no leap seconds)'],
    ['2026-11-24T12:00:75.5+01:00', 'time is not a real date-time: second 75 is not 00–59 (no leap seconds)'],
    ['2026-11-24T12:00:00+24:00', 'time is not a real date-time: offset +24:00 is not within ±23:59'],
    ['2026-11-24T12:00:00-01:60', 'time is not a real date-time: offset -01:60 is not within ±23:59'],
  ])('names what is not real in %j', (value, message) => {
    expect(() => parseTime(value, 'entries[2].')).toThrow(`entries[2].${message}`);
  });

  it('accepts the days a month has, leap years included', () => {
    expect(parseTime('2024-02-29T00:00:00Z', '')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTime('2000-02-29T23:59:59+23:59', '')).toBe(
      Date.UTC(2000, 1, 29, 23, 59, 59) - (23 * 60 + 59) * 60_000,
    );
  });

  it('rejects an empty string as the first time a process parses', () => {
    jest.isolateModules(() => {
      const fresh = jest.requireActual<typeof import('./entry-parsers')>('./entry-parsers');
      expect(() => fresh.parseTime('', '')).toThrow('time must be a full ISO-8601 date-time');
    });
  });

  it.each([
    '',
    '2026-11-24',
    '2026-11-24T12:00Z',
    '2026-11-24T12:00:00',
    '2026-02-30T00:00:00Z',
    '2026-11-24T24:00:00Z',
    '2026-13-01T00:00:00Z',
    '0100-02-29T00:00:00Z',
    // RFC 3339 as README states it: `T`, seconds to 59, `Z` or `±hh:mm` (ENTRY_TIME_PATTERN).
    '2026-11-24 12:00:00Z',
    '2026-11-24T12:00:00+01',
    '2026-11-24T12:00:00+0100',
    '2016-12-31T23:59:60Z',
    1795521600000,
  ])('rejects %j', (value) => {
    expect(() => parseTime(value, '')).toThrow(InvalidEntryError);
  });
});
