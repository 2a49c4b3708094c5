import { MemoryLogStore, MemorySessionRegistry, SessionRecord } from '@zen/log-store';
import { AppConfig } from '../config/app-config';
import { SESSIONS_FRAME_AROUND } from '../live/live-frames';
import { deltaFrameOf, PendingChange } from '../live/sessions-feed';
import { SessionsService } from './sessions.service';

/**
 * A listing is bounded by MAX_SESSIONS + SESSIONS_RETAIN_ENDED sessions of up to
 * MAX_METADATA_BYTES each: by default ~730 MB of JSON, longer than V8's longest string
 * (2^29 − 24 characters). Built as one string, it threw: `GET /sessions/` answered 500 and the
 * WebSocket got no `sessions` event (measured on the built server: 10,000 sessions of 65 KB).
 * Here a few records share one long JSON text (so the test holds one copy, not 730 MB of them).
 */
describe('a sessions listing longer than a string can be', () => {
  const V8_MAX_STRING = 2 ** 29 - 24;
  const PER_RECORD = 110_000_000;
  const RECORDS = 5; // 550 million characters, past V8_MAX_STRING
  const long = `{"metadata":"${'x'.repeat(PER_RECORD - 16)}"}`;

  function bigRecords(): SessionRecord[] {
    const now = Date.now();
    return Array.from({ length: RECORDS }, (_, i) => {
      const id = (0xa0 + i).toString(16).padStart(24, '0');
      const record = SessionRecord.create({ id, fields: { appname: 'big' }, clientAddress: null }, now + i, i + 1);
      Object.defineProperty(record, 'toJson', { value: () => long });
      return record;
    });
  }

  it('is written as bytes, whole, for GET /sessions/ and the `sessions` event', async () => {
    const registry = new MemorySessionRegistry(new MemoryLogStore(10), { retainEnded: 10, maxActiveClients: 10 });
    const records = bigRecords();
    jest.spyOn(registry, 'list').mockResolvedValue(records);
    const sessions = new SessionsService(new AppConfig(), registry);
    await sessions.onModuleInit();
    const { before, after } = SESSIONS_FRAME_AROUND;
    const { bytes, newest } = await sessions.listBytes('all', before, after);
    expect(newest).toBe(records[0]);
    const head = `${before}{"sessions":[`;
    const tail = `],"serverSessionId":"${sessions.serverSessionId}"}${after}`;
    expect(bytes.length).toBe(head.length + RECORDS * long.length + (RECORDS - 1) + tail.length);
    expect(bytes.length).toBeGreaterThan(V8_MAX_STRING);
    expect(bytes.subarray(0, head.length + 12).toString()).toBe(`${head}{"metadata":`);
    expect(bytes.subarray(head.length + long.length, head.length + long.length + 2).toString()).toBe(',{');
    expect(bytes.subarray(bytes.length - tail.length).toString()).toBe(tail);
  });

  it('is written as bytes in a `sessions-delta` event of every session', () => {
    const records = bigRecords();
    const ids = records.map((record) => record.id);
    const changes = new Map<string, PendingChange>(ids.map((id) => [id, { removed: false, created: false }]));
    const frame = deltaFrameOf(ids, records, changes);
    expect(frame.length).toBeGreaterThan(V8_MAX_STRING);
    expect(frame.subarray(frame.length - 16).toString()).toBe(`}],"removed":[]}}`.slice(-16));
  });
});
