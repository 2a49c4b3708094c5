import { ByteMarkers, markerLevel } from './levels';
import { LineSplitter, wholeCharacters } from './line-splitter';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function splitter(partialMs = 60_000): { lines: string[]; splitter: LineSplitter } {
  const lines: string[] = [];
  return {
    lines,
    splitter: new LineSplitter((bytes, start, end) => lines.push(bytes.toString('utf8', start, end)), partialMs),
  };
}

describe('LineSplitter', () => {
  it('cuts at \\n and \\r\\n, keeps empty lines, and joins a line spread over chunks', () => {
    const { lines, splitter: split } = splitter();
    split.write(Buffer.from('one\r\ntwo\n\nthr'));
    split.write(Buffer.from('ee, '));
    split.write(Buffer.from('still three\r'));
    split.write(Buffer.from('\nfour'));
    expect(lines).toEqual(['one', 'two', '', 'three, still three']);
    split.end();
    expect(lines).toEqual(['one', 'two', '', 'three, still three', 'four']);
  });

  it('decodes a character cut between chunks whole, and invalid bytes as U+FFFD', () => {
    const { lines, splitter: split } = splitter();
    const text = Buffer.from('Grüße 😀\n');
    for (const byte of text) split.write(Buffer.from([byte]));
    split.write(Buffer.from([0x61, 0xff, 0x62, 0x0a]));
    expect(lines).toEqual(['Grüße 😀', 'a\ufffdb']);
  });

  it('hands a partial line over after the delay, up to its last whole character', async () => {
    const { lines, splitter: split } = splitter(50);
    const smile = Buffer.from('😀');
    split.write(Buffer.concat([Buffer.from('waiting '), smile.subarray(0, 2)]));
    await sleep(200);
    expect(lines).toEqual(['waiting ']);
    split.write(Buffer.concat([smile.subarray(2), Buffer.from(' done\n')]));
    expect(lines).toEqual(['waiting ', '😀 done']);
  });

  it('counts the whole characters of a byte run', () => {
    const smile = Buffer.from('a😀');
    expect([1, 2, 3, 4, 5].map((end) => wholeCharacters(smile.subarray(0, end)))).toEqual([1, 1, 1, 1, 5]);
    expect(wholeCharacters(Buffer.from('é').subarray(0, 1))).toBe(0);
    expect(wholeCharacters(Buffer.from([0x80, 0x80, 0x80, 0x80]))).toBe(4);
  });
});

describe('ByteMarkers', () => {
  it('finds the same level as markerLevel for every line of a chunk, decoding only lines with a colon', () => {
    const lines = [
      'plain line',
      'LogCook: Warning: missing asset',
      'no marker: here',
      'Error: failed',
      '[2026.12.02-10.00.00:000][  0]LogInit: Verbose: detail',
      'again plain',
      'warning: lower case',
      '',
      'Fatal: last',
    ];
    const chunk = Buffer.from(lines.join('\n'));
    const markers = new ByteMarkers();
    const decoded = jest.spyOn(chunk, 'toString');
    let start = 0;
    const levels = lines.map((line) => {
      const end = start + Buffer.byteLength(line);
      const level = markers.levelOf(chunk, start, end);
      start = end + 1;
      return level;
    });
    expect(levels).toEqual(lines.map(markerLevel));
    expect(levels).toEqual([null, 'warn', null, 'error', 'debug', null, 'warn', null, 'error']);
    expect(decoded).toHaveBeenCalledTimes(lines.filter((line) => line.includes(':')).length);
  });
});
