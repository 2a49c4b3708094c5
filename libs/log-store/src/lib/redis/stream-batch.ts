// Types only, so that the bench's bare script can import this module on its own.
import type { EntryBatch } from '../entry-batch';
import type { StoredEntry } from '../log-store';

/**
 * One append's entries as one stream entry (a few, for a large append: see
 * STREAM_ENTRY_MAX_ENTRIES), so that Redis spends one `XADD` on a batch rather than one per
 * entry (a quarter of the CPU per entry, measured in docs/performance.md). The stream id
 * is the batch's first seq (`<seq>-1`); the fields, always in this order, are columns:
 * - `l`: the level codes as digits, one per entry (so the batch's length is its length);
 * - `t`: the first time, then each time's difference from the one before, comma-separated
 *   (most are 0 or a few ms: ~2 bytes an entry instead of 14);
 * - `k`: each message's length in UTF-16 code units, comma-separated;
 * - `m`: the messages, concatenated;
 * - `e` and `d`, only when some entry has data: each data's length ('' for none) and the
 *   data, concatenated, as `k` and `m`.
 *
 * Lengths count UTF-16 code units because both ends are JavaScript strings: Redis keeps
 * the UTF-8 bytes, and a string decoded from them has the code units it was encoded from
 * (a lone surrogate becomes U+FFFD, also one unit, as it would in any field).
 *
 * Streams written before batches hold one entry per stream entry with the fields `t`,
 * `l`, `m` and `d`; they still read (a batch of one) and trim, so an upgrade needs no
 * migration.
 */

/** A stream entry as XRANGE answers it: [id, [field, value, ...]]. */
export type StreamEntry = [string, string[]];

/** The stream id of a batch starting at `seq` (stream ids must be above 0-0). */
export const streamId = (seq: number): string => `${seq}-1`;

/**
 * At most this many log entries, and about this many characters of messages and data, in
 * one stream entry: a large append becomes a few stream entries, so that a read of a few
 * entries copies and decodes a bounded stream entry, not a request's whole body, while an
 * append still costs one `XADD` per hundred entries.
 */
export const STREAM_ENTRY_MAX_ENTRIES = 100;
export const STREAM_ENTRY_MAX_CHARS = 32 * 1024;

/** The level digits of entries [from, to) of a batch: what the append script counts and stores. */
export function levelDigits(batch: EntryBatch, from = 0, to = batch.levels.length): string {
  let digits = '';
  for (let i = from; i < to; i++) digits += batch.levels[i];
  return digits;
}

/** The fields after `l` for entries [from, to) of a batch, in the order above. */
export function batchFields(batch: EntryBatch, from = 0, to = batch.messages.length): string[] {
  const { messages, times, data } = batch;
  if (from >= to) return [];
  const fields = ['t', timeDeltas(times, from, to), 'k', lengths(messages, from, to), 'm', join(messages, from, to)];
  if (data && hasSome(data, from, to)) fields.push('e', lengths(data, from, to), 'd', join(data, from, to));
  return fields;
}

/**
 * The append script's arguments for the entries of a batch from `from` on, cut into
 * stream entries: for each, how many entries it holds, the number of its fields after `l`,
 * and those fields (the script takes each one's level digits from the batch's, sent once).
 */
export function streamEntryArgs(batch: EntryBatch, from = 0): string[] {
  const args: string[] = [];
  for (const [at, to] of streamEntrySpans(batch, from)) {
    const fields = batchFields(batch, at, to);
    args.push(String(to - at), String(fields.length), ...fields);
  }
  return args;
}

/** The entries [from, to) of each stream entry a batch's entries from `from` on are cut into. */
export function streamEntrySpans(batch: EntryBatch, from = 0): [number, number][] {
  const spans: [number, number][] = [];
  for (let at = from; at < batch.messages.length; at = spans[spans.length - 1][1]) {
    spans.push([at, streamEntryEnd(batch, at)]);
  }
  return spans;
}

/** Where the stream entry starting at entry `from` ends: within both STREAM_ENTRY_MAX bounds, one entry at least. */
function streamEntryEnd({ messages, data }: EntryBatch, from: number): number {
  const last = Math.min(messages.length, from + STREAM_ENTRY_MAX_ENTRIES);
  let chars = messages[from].length + (data?.[from]?.length ?? 0);
  let to = from + 1;
  for (; to < last; to++) {
    chars += messages[to].length + (data?.[to]?.length ?? 0);
    if (chars > STREAM_ENTRY_MAX_CHARS) break;
  }
  return to;
}

/**
 * Appends to `out` the entries of a stream entry whose seq is at least `from`, at most
 * `limit` of them in all; answers how many it appended.
 */
export function readStreamEntry([id, fields]: StreamEntry, from: number, limit: number, out: StoredEntry[]): number {
  const first = parseInt(id, 10);
  if (fields[0] !== 'l') return readLegacyEntry(first, fields, from, limit, out);
  const levels = fields[1];
  const times = fields[3].split(',');
  const messageLengths = fields[5].split(',');
  const messages = fields[7];
  const dataLengths = fields.length > 8 ? fields[9].split(',') : null;
  const data = dataLengths ? fields[11] : '';
  let time = 0;
  let at = 0;
  let dataAt = 0;
  let added = 0;
  for (let i = 0; i < levels.length && added < limit; i++) {
    time += Number(times[i]);
    const end = at + Number(messageLengths[i]);
    const dataLength = dataLengths?.[i];
    const dataEnd = dataLength ? dataAt + Number(dataLength) : dataAt;
    if (first + i >= from) {
      const entryData = dataLength ? data.slice(dataAt, dataEnd) : undefined;
      out.push({
        seq: first + i,
        time,
        level: levels.charCodeAt(i) - 48,
        message: messages.slice(at, end),
        data: entryData,
      });
      added++;
    }
    at = end;
    dataAt = dataEnd;
  }
  return added;
}

/** The seq just past a stream entry's last log entry (as XRANGE answers it). */
export function seqAfter([id, fields]: StreamEntry): number {
  return parseInt(id, 10) + (fields[0] === 'l' ? fields[1].length : 1);
}

/** A stream entry written before batches: one log entry, fields `t`, `l`, `m` and maybe `d`. */
function readLegacyEntry(seq: number, fields: string[], from: number, limit: number, out: StoredEntry[]): number {
  if (seq < from || limit < 1) return 0;
  out.push({ seq, time: Number(fields[1]), level: Number(fields[3]), message: fields[5], data: fields[7] });
  return 1;
}

function timeDeltas(times: number[], from: number, to: number): string {
  let text = String(times[from]);
  for (let i = from + 1; i < to; i++) text += ',' + (times[i] - times[i - 1]);
  return text;
}

function lengths(values: (string | undefined)[], from: number, to: number): string {
  let text = String(values[from]?.length ?? '');
  for (let i = from + 1; i < to; i++) text += ',' + (values[i]?.length ?? '');
  return text;
}

function join(values: (string | undefined)[], from: number, to: number): string {
  let text = '';
  for (let i = from; i < to; i++) text += values[i] ?? '';
  return text;
}

function hasSome(values: (string | undefined)[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (values[i] !== undefined) return true;
  return false;
}
