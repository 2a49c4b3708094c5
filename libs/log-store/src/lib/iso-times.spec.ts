import fc from 'fast-check';
import { LEVEL_CODE } from './entry-batch';
import { ISO_TIME_LENGTH, IsoTimes } from './iso-times';
import { EntryEncoder } from './memory/entry-encoder';
import { anyIsoTestTime, ISO_TIME_EDGES, TIMES_ACROSS_ISO_EDGES } from '../testing/iso-time-edges';

const EMPTY = Buffer.alloc(0);
const DAY = 86_400_000;

/** The times as one IsoTimes writes them, one after another (its cache carries over); toISOString's other shapes as is. */
function writtenTimes(times: number[]): string[] {
  const isoTimes = new IsoTimes();
  const out = Buffer.alloc(ISO_TIME_LENGTH);
  return times.map((time) =>
    isoTimes.writes(time) ? out.toString('latin1', 0, isoTimes.write(out, 0, time)) : iso(time),
  );
}

/** The times as the encoder writes them in text lines, one after another (the process's cache carries over). */
function encodedTimes(times: number[]): string[] {
  const encoder = new EntryEncoder(16);
  for (const time of times) encoder.text(time, LEVEL_CODE.info, EMPTY, 0, 0);
  return encoder.body().toString('latin1').split(' INFO \n').slice(0, -1);
}

/** The times as one IsoTimes gives them as strings, one after another (its cache carries over). */
function textTimes(times: number[]): string[] {
  const isoTimes = new IsoTimes();
  return times.map((time) => isoTimes.text(time));
}

/** The times given alternately as bytes and as strings by one IsoTimes: its one cache serves both. */
function alternatingTimes(times: number[]): string[] {
  const isoTimes = new IsoTimes();
  const out = Buffer.alloc(ISO_TIME_LENGTH);
  return times.map((time, i) =>
    i % 2 === 0 && isoTimes.writes(time)
      ? out.toString('latin1', 0, isoTimes.write(out, 0, time))
      : isoTimes.text(time),
  );
}

const iso = (time: number) => new Date(time).toISOString();

describe('IsoTimes', () => {
  it('writes each time as Date#toISOString does, as bytes and as strings, around every boundary its cache crosses', () => {
    const times = TIMES_ACROSS_ISO_EDGES;
    for (const given of [writtenTimes, textTimes, alternatingTimes]) {
      expect(given(times)).toEqual(times.map(iso));
      expect(given([...times].reverse())).toEqual([...times].reverse().map(iso));
    }
  });

  it('gives strings for fractional milliseconds and times outside years 0–9999 as toISOString does, and throws as it does', () => {
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
    expect(textTimes(times)).toEqual(times.map(iso));
    for (const time of [NaN, 8.64e15 + 1, Infinity]) expect(() => new IsoTimes().text(time)).toThrow(RangeError);
  });

  it('writes fractional milliseconds as toISOString does, and leaves times outside years 0–9999 to it', () => {
    const times = [1.5, 999.9, 1_700_000_000_000.7, 5, 5.5];
    expect(writtenTimes(times)).toEqual(times.map(iso));
    for (const time of [-1, -DAY, Date.UTC(10000, 0, 1), 8.64e15, -8.64e15, NaN])
      expect(new IsoTimes().writes(time)).toBe(false);
  });

  it('as the encoder writes them, with times outside years 0–9999 in between', () => {
    const times = [1.5, -1, ...ISO_TIME_EDGES, -DAY, Date.UTC(10000, 0, 1), 8.64e15, -8.64e15, 5.5];
    expect(encodedTimes(times)).toEqual(times.map(iso));
  });

  it('agrees with toISOString for any sequence of times, near each other or far apart', () => {
    const time = anyIsoTestTime;
    fc.assert(
      fc.property(fc.array(time, { maxLength: 30 }), (times) => {
        expect(writtenTimes(times)).toEqual(times.map(iso));
        expect(textTimes(times)).toEqual(times.map(iso));
        expect(alternatingTimes(times)).toEqual(times.map(iso));
        expect(encodedTimes(times)).toEqual(times.map(iso));
      }),
      { numRuns: 1000 },
    );
  });
});
