import { LOG_LEVELS, LogLevel } from '@zen/contract';
import { LogRow } from './log-line';

export interface HistogramBin {
  from: number;
  to: number;
  counts: Record<LogLevel, number>;
  total: number;
}

const LEVEL_INDEX = Object.fromEntries(LOG_LEVELS.map((level, i) => [level, i])) as Record<LogLevel, number>;

/** Bin widths people read easily, in ms. */
const STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
  900_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/**
 * Entries over time by severity, in at most `maxBins` bins of a readable width that
 * cover the rows' time span (gap rows are not entries and are not counted).
 */
export function binRows(rows: readonly LogRow[], maxBins = 60): HistogramBin[] {
  let first = Infinity;
  let last = -Infinity;
  for (const row of rows) {
    if (row.kind !== 'entry' || Number.isNaN(row.timeMs)) continue;
    if (row.timeMs < first) first = row.timeMs;
    if (row.timeMs > last) last = row.timeMs;
  }
  if (first === Infinity) return [];
  const span = last - first + 1;
  const width = STEPS.find((step) => span / step <= maxBins) ?? Math.ceil(span / maxBins);
  const start = Math.floor(first / width) * width;
  const count = Math.floor((last - start) / width) + 1;
  // Counted in one typed array (bin × level), then turned into bins: this runs on every frame while following.
  const counts = new Int32Array(count * LOG_LEVELS.length);
  for (const row of rows) {
    if (row.kind !== 'entry' || Number.isNaN(row.timeMs)) continue;
    counts[Math.floor((row.timeMs - start) / width) * LOG_LEVELS.length + LEVEL_INDEX[row.severity]]++;
  }
  return Array.from({ length: count }, (_, i) => {
    const at = i * LOG_LEVELS.length;
    const [debug, info, warn, error] = counts.subarray(at, at + LOG_LEVELS.length);
    return {
      from: start + i * width,
      to: start + (i + 1) * width - 1,
      counts: { debug, info, warn, error },
      total: debug + info + warn + error,
    };
  });
}
