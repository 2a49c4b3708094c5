import fc from 'fast-check';
import { LEVEL_CODE } from './entry-batch';
import { entriesText, entryJson, isoTime } from './log-format';
import { anyIsoTestTime, TIMES_ACROSS_ISO_EDGES } from '../testing/iso-time-edges';

const DAY = 86_400_000;
const iso = (time: number) => new Date(time).toISOString();

describe('isoTime', () => {
  it('writes each time as Date#toISOString does, around every boundary its cached second crosses', () => {
    const times = TIMES_ACROSS_ISO_EDGES;
    expect(times.map(isoTime)).toEqual(times.map(iso));
    expect([...times].reverse().map(isoTime)).toEqual([...times].reverse().map(iso));
  });

  it('writes fractional milliseconds and times outside years 0–9999 as toISOString does, and throws as it does', () => {
    const times = [
      1.5,
      999.9,
      1_700_000_000_000.7,
      5,
      5.5,
      -0,
      -1,
      -1.5,
      -DAY,
      Date.UTC(10000, 0, 1),
      8.64e15,
      -8.64e15,
    ];
    expect(times.map(isoTime)).toEqual(times.map(iso));
    for (const time of [NaN, 8.64e15 + 1, Infinity]) expect(() => isoTime(time)).toThrow(RangeError);
  });

  it('agrees with toISOString for any sequence of times, near each other or far apart', () => {
    const time = anyIsoTestTime;
    fc.assert(
      fc.property(fc.array(time, { maxLength: 30 }), (times) => expect(times.map(isoTime)).toEqual(times.map(iso))),
      { numRuns: 1000 },
    );
  });
});

describe('entryJson and entriesText', () => {
  const T = Date.UTC(2026, 11, 6, 22, 59, 59, 7);

  it('write the time as toISOString does and the level as the contract names it', () => {
    expect(entryJson({ seq: 3, time: T, level: LEVEL_CODE.warn, message: 'a "b"', data: '{"k":1}' })).toBe(
      `{"seq":3,"time":"2026-12-06T22:59:59.007Z","level":"warn","message":"a \\"b\\"","data":{"k":1}}`,
    );
    const levels = [LEVEL_CODE.debug, LEVEL_CODE.info, LEVEL_CODE.warn, LEVEL_CODE.error];
    const entries = levels.map((level, seq) => ({
      seq,
      time: T + seq * 500,
      level,
      message: `m${seq}\r\nx`,
      data: undefined,
    }));
    expect(entriesText(entries)).toBe(
      '2026-12-06T22:59:59.007Z DEBUG m0\\nx\n' +
        '2026-12-06T22:59:59.507Z INFO m1\\nx\n' +
        '2026-12-06T23:00:00.007Z WARN m2\\nx\n' +
        '2026-12-06T23:00:00.507Z ERROR m3\\nx\n',
    );
  });
});
