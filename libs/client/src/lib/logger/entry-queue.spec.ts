import type { LogEntryInput } from '@zen/contract';
import { seededRandom, TRICKY_TEXT_PIECES } from '@zen/testing';
import { BatchEncoder, entriesOf } from './batch-encoder';
import { EntryQueue } from './entry-queue';

const TIME = '2026-12-02T05:00:00.000Z';
const utf8 = (text: string) => new TextEncoder().encode(text).length;

function fill(queue: EntryQueue, messages: string[]): void {
  for (const message of messages) queue.push(TIME, 'info', message);
}

const messagesOf = (queue: EntryQueue) => queue.entries().map((entry) => entry.message);

describe('EntryQueue', () => {
  it('holds entries as their JSON, counting the bytes exactly, and drops the oldest past the limit', () => {
    const queue = new EntryQueue(3);
    fill(queue, ['a', 'b', 'é', 'd']);
    expect(messagesOf(queue)).toEqual(['b', 'é', 'd']);
    expect(queue.takeDropped()).toBe(1);
    expect(queue.takeDropped()).toBe(0);
    const entryBytes = (message: string) => utf8(JSON.stringify({ time: TIME, message })) + 1;
    expect(queue.bytes).toBe(entryBytes('b') + entryBytes('é') + entryBytes('d'));
  });

  it('writes a message given as bytes from the bytes, escaped, and refuses bytes that are not UTF-8', () => {
    const queue = new EntryQueue(10);
    const bytes = Buffer.from('[plain ~ line] quote" slash\\ tab\t é\u0001 😀');
    expect(queue.pushBytes(TIME, 'error', bytes, 0, bytes.length, { stream: 'stderr' })).toBe(true);
    const invalid = Buffer.from([0x61, 0xff, 0x62, 0xe2, 0x9c]);
    for (const [start, end] of [
      [0, 3],
      [3, 5],
      [1, 2],
    ])
      expect(queue.pushBytes(TIME, 'info', invalid, start, end)).toBe(false);
    bytes.fill(0x3f);
    expect(queue.entries()).toEqual([
      {
        time: TIME,
        level: 'error',
        message: '[plain ~ line] quote" slash\\ tab\t é\u0001 😀',
        data: { stream: 'stderr' },
      },
    ]);
  });

  it('writes the batch JSON.stringify would, whether messages came as bytes or as strings (randomised)', () => {
    const random = seededRandom(42);
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const streams = [Object.freeze({ stream: 'stdout' }), Object.freeze({ stream: 'stderr' }), undefined];
    const times = [TIME, '2026-12-02T05:00:00.001Z', undefined];
    const levels = ['info', 'warn', 'error', 'debug'] as const;
    for (let round = 0; round < 200; round++) {
      const queue = new EntryQueue(1_000);
      const expected: LogEntryInput[] = [];
      for (let i = 0; i < 1 + random() * 40; i++) {
        const text = Array.from({ length: Math.floor(random() * 8) }, () => pick(TRICKY_TEXT_PIECES)).join('');
        const bytes = Buffer.from(`${pick(['', 'é', '"'])}${text}${pick(['', '✓', '\\'])}`);
        const [time, level, data] = [pick(times), pick(levels), pick(streams)];
        // In a larger buffer, at an offset, as a line is in a chunk read from a pipe.
        const chunk = Buffer.concat([Buffer.from('x\n'), bytes, Buffer.from('\ny')]);
        const message = bytes.toString('utf8');
        if (random() < 0.7) expect(queue.pushBytes(time, level, chunk, 2, 2 + bytes.length, data)).toBe(true);
        else queue.push(time, level, message, data);
        expected.push({ time, level: level === 'info' ? undefined : level, message, data });
      }
      const { count, body } = new BatchEncoder().encode(queue, 1_000, 1 << 20);
      expect(count).toBe(expected.length);
      expect(Buffer.from(body).toString('utf8')).toBe(JSON.stringify({ entries: expected }));
    }
  });

  it('keeps what a logged object held when it was logged, whatever it becomes later', () => {
    const queue = new EntryQueue(10);
    const data = { step: 1 };
    queue.push(TIME, 'warn', 'first', data);
    data.step = 2;
    expect(queue.entries()).toEqual([{ time: TIME, level: 'warn', message: 'first', data: { step: 1 } }]);
  });

  it('puts a batch that failed back in front of what was queued meanwhile, then trims the oldest', () => {
    const queue = new EntryQueue(4);
    fill(queue, ['1', '2', '3']);
    const encoder = new BatchEncoder();
    const { count, body } = encoder.encode(queue, 2, 1 << 20);
    const sizes = queue.take(count);
    fill(queue, ['4', '5']);
    expect(messagesOf(queue)).toEqual(['3', '4', '5']);
    queue.putBack(entriesOf(body), sizes);
    expect(messagesOf(queue)).toEqual(['2', '3', '4', '5']);
    expect(queue.takeDropped()).toBe(1);
  });

  it('puts the report of what was dropped in front, even beyond the limit', () => {
    const queue = new EntryQueue(2);
    fill(queue, ['a', 'b']);
    queue.unshiftReport({ time: TIME, level: 'warn', message: '3 dropped' });
    expect(queue.entries()).toEqual([
      { time: TIME, level: 'warn', message: '3 dropped' },
      { time: TIME, message: 'a' },
      { time: TIME, message: 'b' },
    ]);
  });

  it('splits entries longer than a new limit in place, in order, dropping none', () => {
    const queue = new EntryQueue(2);
    fill(queue, ['ab', 'x'.repeat(10), 'é'.repeat(3)]);
    expect(queue.splitLongerThan(4)).toBe(2);
    expect(messagesOf(queue)).toEqual(['xxxx', 'xxxx', 'xx', 'éé', 'é']);
    expect(queue.takeDropped()).toBe(1);
    expect(queue.splitLongerThan(4)).toBe(0);
  });

  it('fits the longest run from the front in the room given, and always at least one entry', () => {
    const queue = new EntryQueue(100);
    fill(queue, ['x'.repeat(50), 'y', 'z'.repeat(300), 'w']);
    for (let room = 0; room < 600; room += 7) {
      let linear = 1;
      while (linear < queue.length && queue.runBytes(linear + 1) <= room) linear++;
      expect(queue.fitting(100, room)).toBe(linear);
    }
    expect(queue.fitting(2, 1 << 20)).toBe(2);
  });

  it('stays in order through many pushes, takes, put-backs and moves of its buffer', () => {
    const next = seededRandom(11);
    const queue = new EntryQueue(500);
    const encoder = new BatchEncoder();
    let model: string[] = [];
    let dropped = 0;
    let serial = 0;
    for (let step = 0; step < 3_000; step++) {
      const choice = next();
      if (choice < 0.6) {
        const length = Math.floor(next() ** 3 * 3_000);
        const message = `${serial++} ${'ü✓😀x'.repeat(length / 4)}"\n`;
        queue.push(TIME, 'info', message);
        model.push(message);
        if (model.length > 500) {
          model.shift();
          dropped++;
        }
      } else if (queue.length > 0) {
        const { count, body } = encoder.encode(queue, 1 + Math.floor(next() * 40), 1 + Math.floor(next() * 20_000));
        const sent = JSON.parse(new TextDecoder().decode(body)).entries.map((entry: LogEntryInput) => entry.message);
        expect(sent).toEqual(model.slice(0, count));
        const sizes = queue.take(count);
        if (choice < 0.7) {
          queue.putBack(entriesOf(body), sizes);
        } else {
          model = model.slice(count);
        }
      }
      expect(queue.length).toBe(model.length);
    }
    expect(messagesOf(queue)).toEqual(model);
    expect(queue.takeDropped()).toBe(dropped);
  });
});
