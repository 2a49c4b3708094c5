import { LEVEL_CODE } from './entry-batch';
import { entriesText, entryJson } from './log-format';
import { TIMES_ACROSS_ISO_EDGES } from '../testing/iso-time-edges';

describe('entryJson and entriesText', () => {
  const T = Date.UTC(2026, 11, 6, 22, 59, 59, 7);

  it('write the time as toISOString does and the level as the contract names it', () => {
    expect(entryJson({ seq: 3, time: T, level: LEVEL_CODE.warn, message: 'a "b"', data: '{"k":1}' })).toBe(
      `{"seq":3,"time":"2026-12-06T22:59:59.007Z","level":"warn","message":"a \\"b\\"","data":{"k":1}}`,
    );
    const levels = [LEVEL_CODE.debug, LEVEL_CODE.info, LEVEL_CODE.warn, LEVEL_CODE.error];
    const entries = levels.map((level, seq) => ({
      seq,
      time: T + seq * 500,
      level,
      message: `m${seq}\r\nx`,
      data: undefined,
    }));
    expect(entriesText(entries)).toBe(
      '2026-12-06T22:59:59.007Z DEBUG m0\\nx\n' +
        '2026-12-06T22:59:59.507Z INFO m1\\nx\n' +
        '2026-12-06T23:00:00.007Z WARN m2\\nx\n' +
        '2026-12-06T23:00:00.507Z ERROR m3\\nx\n',
    );
  });

  it('write every time toISOString writes, across the edges of the cached second', () => {
    const entries = [...TIMES_ACROSS_ISO_EDGES, -1, 8.64e15].map((time, seq) => ({
      seq,
      time,
      level: LEVEL_CODE.info,
      message: '',
      data: undefined,
    }));
    const times = entries.map((entry) => new Date(entry.time).toISOString());
    expect(entries.map((entry) => JSON.parse(entryJson(entry)).time)).toEqual(times);
    expect(entriesText(entries)).toBe(times.map((time) => `${time} INFO \n`).join(''));
  });
});
