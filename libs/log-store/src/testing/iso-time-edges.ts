import fc from 'fast-check';

const SECOND = 1000;
const DAY = 86_400_000;

/** Instants where a cached ISO time prefix must change: second, minute, hour, day, month, year, leap day. */
export const ISO_TIME_EDGES = [
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

/**
 * Times around every edge of ISO_TIME_EDGES, in an order that crosses each (a millisecond before
 * and after, the second's last and the next, a day before), for the cached ISO time writers
 * (iso-times.ts, as bytes and as strings).
 */
export const TIMES_ACROSS_ISO_EDGES = ISO_TIME_EDGES.flatMap((edge) => [
  edge - 1,
  edge,
  edge + 1,
  edge + SECOND - 1,
  edge + SECOND,
  edge - DAY,
]);

/** Any time: anywhere Date can hold, anywhere in years 0–9999, or within two seconds of an edge. */
export const anyIsoTestTime = fc.oneof(
  fc.integer({ min: -8.64e15, max: 8.64e15 }),
  fc.integer({ min: 0, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }),
  fc.constantFrom(...ISO_TIME_EDGES).chain((edge) => fc.integer({ min: edge - 2 * SECOND, max: edge + 2 * SECOND })),
);
