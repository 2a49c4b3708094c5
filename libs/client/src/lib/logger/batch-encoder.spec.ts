import type { LogEntryInput } from '@zen/contract';
import { BatchEncoder } from './batch-encoder';
import { EntryJsonWriter, textEncoderWriter, Utf8Writer, utf8Writer } from './entry-json';
import { EntryQueue } from './entry-queue';

const TIME = '2026-12-02T05:00:00.000Z';

function decode(body: Uint8Array): { entries: LogEntryInput[] } {
  return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
}

describe.each<[string, () => Utf8Writer]>([
  ["Node's Buffer", utf8Writer],
  ["a browser's TextEncoder", textEncoderWriter],
])('BatchEncoder writing with %s', (_name, writer) => {
  function queueOf(entries: LogEntryInput[]): EntryQueue {
    const queue = new EntryQueue(entries.length + 1, new EntryJsonWriter(writer()));
    for (const { time, level, message, data } of entries) queue.push(time, level, message, data);
    return queue;
  }

  it('writes the entries as the JSON batch they are, escapes and all, with info as the default level', () => {
    const stream = Object.freeze({ stream: 'stdout' });
    const entries: LogEntryInput[] = [
      { time: TIME, level: 'info', message: 'plain', data: stream },
      { time: TIME, level: 'warn', message: 'quote " backslash \\ tab \t newline \n nul \u0000', data: stream },
      { time: TIME, level: 'error', message: 'Grüße ✓ 😀 lone \ud800 surrogate' },
      { time: '2026-12-02T05:00:00.001Z', level: 'debug', message: '', data: { nested: { n: 1 } } },
    ];
    const { count, body } = new BatchEncoder().encode(queueOf(entries), 100, 1 << 20);
    expect(count).toBe(4);
    expect(decode(body)).toEqual({
      entries: [
        { time: TIME, message: 'plain', data: stream },
        entries[1],
        { time: TIME, level: 'error', message: 'Grüße ✓ 😀 lone \ud800 surrogate' },
        entries[3],
      ],
    });
    expect(new TextDecoder().decode(body)).toContain('lone \\ud800 surrogate');
  });

  it('stops before the byte limit, counting multi-byte characters as bytes, and at the entry limit', () => {
    const entries = Array.from({ length: 50 }, (_, i) => ({
      time: TIME,
      level: 'info' as const,
      message: `${i} ${'é😀'.repeat(20)}`,
    }));
    const encoder = new BatchEncoder();
    const bySize = encoder.encode(queueOf(entries), 1000, 2_000);
    expect(bySize.body.length).toBeLessThanOrEqual(2_000);
    expect(bySize.count).toBeGreaterThan(1);
    expect(decode(bySize.body).entries.map((entry) => entry.message)).toEqual(
      entries.slice(0, bySize.count).map((entry) => entry.message),
    );
    // One more entry would not have fitted.
    const oneMore = new BatchEncoder().encode(queueOf(entries), bySize.count + 1, 1 << 20);
    expect(oneMore.body.length).toBeGreaterThan(2_000);

    expect(encoder.encode(queueOf(entries), 7, 1 << 20).count).toBe(7);
  });

  it('leaves a body as it was through the next encode (the request still out may be reading it)', () => {
    const encoder = new BatchEncoder();
    const first = encoder.encode(queueOf([{ time: TIME, level: 'info', message: 'first' }]), 10, 1 << 20);
    const copy = first.body.slice();
    const second = encoder.encode(queueOf([{ time: TIME, level: 'warn', message: 'x'.repeat(200_000) }]), 10, 1 << 20);
    expect(first.body).toEqual(copy);
    expect(decode(second.body).entries[0].message).toHaveLength(200_000);
    expect(decode(first.body).entries[0].message).toBe('first');
  });

  it('sends an entry bigger than the limit alone rather than never', () => {
    const big = { time: TIME, level: 'info' as const, message: 'x'.repeat(100_000) };
    const { count, body } = new BatchEncoder().encode(queueOf([big, big]), 10, 1_000);
    expect(count).toBe(1);
    expect(decode(body).entries[0].message).toHaveLength(100_000);
  });

  it('writes data JSON.stringify throws on, never throwing: BigInts as digits, cycles as "[Circular]"', () => {
    const shared = { n: 1 };
    const request: Record<string, unknown> = { url: '/x', headers: { accept: '*/*' }, a: shared, b: [shared, shared] };
    request['self'] = request;
    (request['headers'] as Record<string, unknown>)['owner'] = request;
    const throwing = {
      ok: 1,
      get bad(): never {
        throw new Error('no access');
      },
    };
    const entries: LogEntryInput[] = [
      { time: TIME, level: 'info', message: 'request', data: { request } },
      { time: TIME, level: 'info', message: 'big', data: { n: 10n, list: [2n ** 70n] } },
      { time: TIME, level: 'info', message: 'getter', data: throwing },
      { time: TIME, level: 'info', message: 'nothing', data: { toJSON: () => undefined } },
      { time: TIME, level: 'info', message: 'frozen', data: Object.freeze({ n: 3n }) },
    ];
    const { count, body } = new BatchEncoder().encode(queueOf(entries), 100, 1 << 20);
    expect(count).toBe(5);
    expect(decode(body).entries.map((entry) => entry.data)).toEqual([
      {
        request: {
          url: '/x',
          headers: { accept: '*/*', owner: '[Circular]' },
          a: { n: 1 },
          b: [{ n: 1 }, { n: 1 }],
          self: '[Circular]',
        },
      },
      { n: '10', list: ['1180591620717411303424'] },
      { unserializable: 'no access' },
      undefined,
      { n: '3' },
    ]);
  });

  it('serialises a frozen data object once, and an unfrozen one at each entry, as it was when logged', () => {
    const frozen = Object.freeze({ stream: 'stderr' });
    const mutable = { n: 1 };
    const spy = jest.spyOn(JSON, 'stringify');
    try {
      const queue = new EntryQueue(10, new EntryJsonWriter(writer()));
      queue.push(TIME, 'info', 'a', frozen);
      queue.push(TIME, 'info', 'b', frozen);
      queue.push(TIME, 'info', 'c', mutable);
      mutable.n = 2;
      queue.push(TIME, 'info', 'd', mutable);
      mutable.n = 3;
      const { entries } = decode(new BatchEncoder().encode(queue, 4, 1 << 20).body);
      expect(entries.map((entry) => entry.data)).toEqual([frozen, frozen, { n: 1 }, { n: 2 }]);
      const dataCalls = spy.mock.calls.map(([value]) => value).filter((value) => typeof value === 'object');
      expect(dataCalls).toEqual([frozen, mutable, mutable]);
    } finally {
      spy.mockRestore();
    }
  });
});
