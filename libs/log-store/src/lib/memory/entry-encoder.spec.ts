import fc from 'fast-check';
import { LEVEL_CODE } from '../entry-batch';
import { EntryEncoder } from './entry-encoder';

const EMPTY = Buffer.alloc(0);
const SECOND = 1000;
const DAY = 86_400_000;

/** The times as the encoder writes them, one after another (its cache carries over), as text lines. */
function encodedTimes(times: number[]): string[] {
  const encoder = new EntryEncoder(16);
  for (const time of times) encoder.text(time, LEVEL_CODE.info, EMPTY, 0, 0);
  return encoder.body().toString('latin1').split(' INFO \n').slice(0, -1);
}

const iso = (time: number) => new Date(time).toISOString();

/** Instants where a cached prefix must change: second, minute, hour, day, month, year, leap day. */
const EDGES = [
  0,
  Date.UTC(1970, 0, 1, 0, 0, 1),
  Date.UTC(2026, 11, 2, 5, 59, 59, 999),
  Date.UTC(2026, 11, 31, 23, 59, 59, 999),
  Date.UTC(2027, 0, 1),
  Date.UTC(2024, 1, 29),
  Date.UTC(2024, 2, 1),
  Date.UTC(2100, 1, 28, 23, 59, 59, 999),
  Date.UTC(2000, 1, 29, 12),
  Date.UTC(9999, 11, 31, 23, 59, 59, 999),
];

describe('EntryEncoder times', () => {
  it('writes each time as Date#toISOString does, around every boundary its cache crosses', () => {
    const times = EDGES.flatMap((edge) => [edge - 1, edge, edge + 1, edge + SECOND - 1, edge + SECOND, edge - DAY]);
    expect(encodedTimes(times)).toEqual(times.map(iso));
    expect(encodedTimes([...times].reverse())).toEqual([...times].reverse().map(iso));
  });

  it('writes fractional milliseconds and times outside years 0–9999 as toISOString does', () => {
    const times = [1.5, 999.9, 1_700_000_000_000.7, -1, -DAY, Date.UTC(10000, 0, 1), 8.64e15, -8.64e15, 5, 5.5];
    expect(encodedTimes(times)).toEqual(times.map(iso));
  });

  it('agrees with toISOString for any sequence of times, near each other or far apart', () => {
    const time = fc.oneof(
      fc.integer({ min: -8.64e15, max: 8.64e15 }),
      fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
      fc.constantFrom(...EDGES).chain((edge) => fc.integer({ min: edge - 2 * SECOND, max: edge + 2 * SECOND })),
    );
    fc.assert(
      fc.property(fc.array(time, { maxLength: 30 }), (times) => {
        expect(encodedTimes(times)).toEqual(times.map(iso));
      }),
      { numRuns: 1000 },
    );
  });
});
