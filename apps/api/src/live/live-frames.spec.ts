import { addEntry, emptyBatch, MemoryLogStore } from '@zen/log-store';
import { encodedLogFrame, logFrameWithin } from './live-frames';

const ID = '65f0a1b2c3d4e5f6a7b8c9d0';
const MAX = 4 * 1024 * 1024;

/**
 * The push path builds a `log` frame from the memory store's encoded read (encodedLogFrame) where
 * it fits the frame budget, and from entry objects (logFrameWithin) otherwise: a follower must get
 * the same bytes either way.
 */
describe('encodedLogFrame', () => {
  let store: MemoryLogStore;
  const T0 = Date.UTC(2026, 11, 6, 23, 59, 59, 990);

  beforeEach(async () => {
    store = new MemoryLogStore(50);
    await store.create(ID);
    const batch = emptyBatch();
    const messages = [
      'plain',
      'quotes " and \\ backslash',
      'line\nbreak\r\nand\ttab \u0001 control',
      'unicode: é ü 漢字 😀 and a lone surrogate \ud800 end',
      '',
      'x'.repeat(300),
      '</script> \u2028 \u2029',
    ];
    for (let i = 0; i < 70; i++) {
      const data = i % 3 === 0 ? JSON.stringify({ i, nested: { s: 'ü"' } }) : undefined;
      addEntry(batch, messages[i % messages.length], i % 4, T0 + i * 7, data);
    }
    store.appendNow(ID, batch);
  });

  const both = async (cursor: number, limit: number) => {
    const slice = await store.readCursor(ID, { cursor, limit });
    const objects = logFrameWithin(ID, slice, 0, MAX);
    const read = store.readCursorEncoded(ID, { cursor, limit }, 'json');
    return {
      objects: Buffer.from(objects.frame),
      encoded: encodedLogFrame(ID, read.body),
      read,
      objectsNext: objects.next,
    };
  };

  it.each([
    ['from an evicted cursor (dropped)', 0, 1000],
    ['from the first held entry', 20, 1000],
    ['a chunk cut by the limit', 25, 10],
    ['at the end (no entries)', 70, 1000],
    ['past the end', 90, 1000],
  ])('writes the same bytes as the entry objects make: %s', async (_name, cursor, limit) => {
    const { objects, encoded, read, objectsNext } = await both(cursor, limit);
    expect(encoded.toString()).toBe(objects.toString());
    expect(encoded.equals(objects)).toBe(true);
    expect(read.cursor).toBe(objectsNext);
    // Parses as the log event it claims to be.
    expect(JSON.parse(encoded.toString())).toMatchObject({ event: 'log', data: { id: ID, cursor: objectsNext } });
  });
});
