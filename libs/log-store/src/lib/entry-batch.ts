import { LogLevel, LOG_LEVELS } from '@zen/contract';

/** Level codes as stored: the index into LOG_LEVELS, so "at least as severe" is `>=`. */
export const LEVEL_CODE: Readonly<Record<LogLevel, number>> = {
  debug: 0,
  info: 1,
  warn: 2,
  error: 3,
};
export const WARN = LEVEL_CODE.warn;
export const ERROR = LEVEL_CODE.error;
export const levelName = (code: number): LogLevel => LOG_LEVELS[code];

/**
 * Entries of one append request, column by column. Parsers fill it without creating
 * an object per entry, and the store copies the columns into its ring in one pass.
 */
export interface EntryBatch {
  readonly messages: string[];
  readonly levels: number[];
  /** Milliseconds since the epoch. */
  readonly times: number[];
  /** Each entry's `data` already serialised as JSON, or undefined; null when no entry has data. */
  data: (string | undefined)[] | null;
}

export function emptyBatch(): EntryBatch {
  return { messages: [], levels: [], times: [], data: null };
}

export function batchSize(batch: EntryBatch): number {
  return batch.messages.length;
}

/**
 * Adds one entry at the end of the batch, keeping the columns in step: the `data`
 * column is created only once some entry has data.
 */
export function addEntry(batch: EntryBatch, message: string, level: number, time: number, data?: string): void {
  batch.messages.push(message);
  batch.levels.push(level);
  batch.times.push(time);
  if (data !== undefined) (batch.data ??= new Array<string | undefined>(batch.messages.length - 1)).push(data);
  else batch.data?.push(undefined);
}
