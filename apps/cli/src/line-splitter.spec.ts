import { createSessionLogger, splitUtf8 } from '@zen/client';
import { seededRandom, TRICKY_TEXT_PIECES } from '@zen/testing';
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

/** Writes each string to `split` as a chunk; a number moves the fake clock on by that many ms. */
function play(split: LineSplitter, steps: (string | number)[]): void {
  for (const step of steps) {
    if (typeof step === 'number') jest.advanceTimersByTime(step);
    else split.write(Buffer.from(step));
  }
}

describe('LineSplitter', () => {
  // A test that fakes the clock (jest.useFakeTimers) gets the real one back, passed or failed.
  afterEach(() => jest.useRealTimers());

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

  it('hands a line that keeps flowing over once its first byte is partialMs old, not only after a pause', () => {
    jest.useFakeTimers();
    const { lines, splitter: split } = splitter(1_000);
    split.write(Buffer.from('downloading'));
    // A dot every 100 ms, as a progress indicator writes: never a second without a byte.
    for (let i = 0; i < 15; i++) {
      jest.advanceTimersByTime(100);
      split.write(Buffer.from('.'));
    }
    jest.advanceTimersByTime(100);
    expect(lines).toEqual(['downloading..........']);
    split.write(Buffer.from('. done\nnext'));
    expect(lines).toEqual(['downloading..........', '...... done']);
    jest.advanceTimersByTime(1_100);
    expect(lines).toEqual(['downloading..........', '...... done', 'next']);
  });

  it('hands over a line redrawn with \\r (a progress bar) as its last redraw, as a terminal shows it', () => {
    const { lines, splitter: split } = splitter();
    split.write(Buffer.from('\r[1/3] Building a.o\r[2/3] Building b.o\r[3/3] Linking app\nplain\n'));
    split.write(Buffer.from('\u001b[2K\r\u001b[33mwarning:\u001b[0m unused\nLNK2019 unresolved\r\r\nPassword: \r\n'));
    split.write(Buffer.from('50%\r'));
    split.write(Buffer.from('100%\r\n'));
    expect(lines).toEqual([
      '[3/3] Linking app',
      'plain',
      '\u001b[33mwarning:\u001b[0m unused',
      'LNK2019 unresolved',
      'Password: ',
      '100%',
    ]);
  });

  it('hands a partial line redrawn with \\r over as its last finished redraw, once a second', () => {
    jest.useFakeTimers();
    const { lines, splitter: split } = splitter(1_000);
    // ninja's status line: a redraw every 10 ms, never a newline until the build ends.
    for (let step = 1; step <= 250; step++) {
      split.write(
        Buffer.from(`\r[${step}/250] Building CXX object File${step}.cpp.o`.slice(0, step % 7 ? undefined : 20)),
      );
      if (step % 7 === 0) split.write(Buffer.from(`\r[${step}/250] Building CXX object File${step}.cpp.o`.slice(20)));
      jest.advanceTimersByTime(10);
    }
    split.write(Buffer.from('\n'));
    expect(lines).toEqual([
      // Due at 1 s, looked at after that turn's I/O (step 101's redraw): the one before it.
      '[100/250] Building CXX object File100.cpp.o',
      '[200/250] Building CXX object File200.cpp.o',
      '[250/250] Building CXX object File250.cpp.o',
    ]);
  });

  it('adds no empty line when the newline of a line handed over as partial comes later', () => {
    jest.useFakeTimers();
    const { lines, splitter: split } = splitter(1_000);
    play(split, ['Cooking', 1_100, '\r\n', '\nnext\n', '30%\r', 1_100, '\n']);
    play(split, ['Compiling shaders... ', 1_100, 'done\n', 'Linking', 1_100, '\r', '\r', '\n']);
    expect(lines).toEqual(['Cooking', '', 'next', '30%', 'Compiling shaders... ', 'done', 'Linking']);
  });

  it('adds no empty line for carriage returns that come alone after a partial line, a second later or at the end', () => {
    jest.useFakeTimers();
    const { lines, splitter: split } = splitter(1_000);
    play(split, ['Cooking', 1_100, '\r', 1_100, 'Cooked\n']);
    play(split, ['Linking', 1_100, '\r', 1_100, '\n', 'x\n', '\r', 1_100, '\n']);
    play(split, ['Packaging', 1_100, '\r']);
    split.end();
    expect(lines).toEqual(['Cooking', 'Cooked', 'Linking', 'x', '', 'Packaging']);
  });

  it('hands a line without a newline over in whole 64 KiB pieces each time 1 MiB of it has come, holding no more', () => {
    // No clock hand-over here (60 s): only the line's length makes it go.
    const { lines, splitter: split } = splitter();
    const chunk = 'x'.repeat(1_000);
    for (let i = 0; i < 2_100; i++) split.write(Buffer.from(chunk));
    // 2,100,000 bytes in: two hand-overs of 16 pieces each, 2,848 bytes still waiting for the rest.
    expect(lines.map((line) => line.length)).toEqual([1_048_576, 1_048_576]);
    split.write(Buffer.from('x\nnext\n'));
    expect(lines.map((line) => line.length)).toEqual([1_048_576, 1_048_576, 2_849, 4]);
    expect(lines.join('')).toBe('x'.repeat(2_100_001) + 'next');
  });

  it('cuts a long line without a newline only between characters, and adds no empty line when it ends on a cut', () => {
    const { lines, splitter: split } = splitter();
    // Three-byte characters: 1 MiB is no whole number of them.
    const euros = '\u20ac'.repeat(349_526);
    split.write(Buffer.from(euros));
    expect(lines.map((line) => Buffer.byteLength(line))).toEqual([1_048_575]);
    split.write(Buffer.from('\n'));
    expect(lines.join('')).toBe(euros);
    expect(lines).toHaveLength(2);

    const exact = splitter();
    exact.splitter.write(Buffer.from('y'.repeat(1_048_576)));
    exact.splitter.write(Buffer.from('\n'));
    exact.splitter.end();
    expect(exact.lines.map((line) => line.length)).toEqual([1_048_576]);
  });

  it('hands a long line redrawn with \\r over as its last finished redraw once 1 MiB of it has come, then its last redraw', () => {
    const { lines, splitter: split } = splitter();
    for (let i = 0; i < 20_000; i++) split.write(Buffer.from(`${String(i).padStart(60, '.')}\r`));
    split.write(Buffer.from('done\n'));
    // 1.22 MB of redraws: one hand-over when 1 MiB had come, then the line as it ends.
    expect(lines).toEqual([String(17_189).padStart(60, '.'), 'done']);
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
      '\u001b[1m\u001b[91merror\u001b[0m\u001b[1m: coloured as cargo does',
      '\u001b[33mLogCook: Warning:\u001b[0m yellow',
      '\u001b[31mno marker\u001b[0m: here',
      '\u001b[?25l\u001b[1A\u001b[2K\u001b[1G\u001b[31merror\u001b[0m: redrawn by a tool that moves the cursor',
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
    expect(levels).toEqual([
      null,
      'warn',
      null,
      'error',
      'debug',
      null,
      'warn',
      null,
      'error',
      'error',
      'warn',
      null,
      'error',
    ]);
    expect(decoded).toHaveBeenCalledTimes(lines.filter((line) => line.includes(':')).length);
  });
});

describe("run's byte path, from the pipe's chunks to the batch bodies (randomised)", () => {
  const TIME = '2026-12-03T07:00:00.000Z';
  const STDOUT = Object.freeze({ stream: 'stdout' });
  const MAX_MESSAGE_BYTES = 120;
  /** Line pieces: escapes, multi-byte characters, markers, stray CRs, invalid bytes, and length. */
  const PIECES = [
    ...TRICKY_TEXT_PIECES.filter((piece) => piece !== '\n'),
    'Error: ',
    'LogCook: Warning: ',
    '\r',
    'Grüße ✓ 😀',
    '\u0000\u001f',
    Buffer.from([0xff]),
    Buffer.from([0xe2, 0x9c]), // a character cut short
    Buffer.from([0xed, 0xa0, 0x80]), // a surrogate
    'y'.repeat(70),
  ];

  /** What the command wrote: lines ending in \n or \r\n, the last one maybe without. */
  function output(random: () => number): Buffer {
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
    const lines = Array.from({ length: 1 + Math.floor(random() * 60) }, () => {
      const pieces = Array.from({ length: Math.floor(random() * 6) }, () => pick(PIECES));
      return Buffer.concat([...pieces.map((piece) => Buffer.from(piece)), Buffer.from(pick(['\n', '\r\n']))]);
    });
    const all = Buffer.concat(lines);
    return random() < 0.5 ? all : all.subarray(0, all.length - 1);
  }

  /** The entries CLI.md asks for, by way of strings: each line decoded, its level, split to the limit. */
  function expectedEntries(bytes: Buffer): string[] {
    const text = bytes.toString('latin1'); // one character per byte: cut at \n, then decode each line
    const lastRedraw = (line: string) => line.replace(/\r+$/, '').slice(line.replace(/\r+$/, '').lastIndexOf('\r') + 1);
    const lines = text.split('\n').map((line) => Buffer.from(lastRedraw(line), 'latin1').toString('utf8'));
    if (text.endsWith('\n')) lines.pop(); // nothing after the last newline: no line
    return lines.flatMap((line) =>
      splitUtf8(line, MAX_MESSAGE_BYTES).map((message) => {
        const level = markerLevel(line) ?? 'info';
        return JSON.stringify({ time: TIME, level: level === 'info' ? undefined : level, message, data: STDOUT });
      }),
    );
  }

  /** Feeds `bytes` in random chunks through LineSplitter, ByteMarkers and a logger; the entries its bodies carried. */
  async function sentEntries(bytes: Buffer, random: () => number): Promise<string> {
    const bodies: string[] = [];
    const fetch = async (_url: unknown, init?: RequestInit) => {
      // The body is a view of a reused buffer: read it now.
      if (init?.method === 'POST') bodies.push(Buffer.from(init.body as Uint8Array).toString('utf8'));
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const logger = createSessionLogger({
      server: 'http://logger.test',
      appname: 'byte-path',
      alreadyOpen: true,
      endOnClose: false,
      heartbeatMs: 0,
      flushOnExit: false,
      maxBatchBytes: 1_024,
      maxMessageBytes: MAX_MESSAGE_BYTES,
      fetch: fetch as typeof globalThis.fetch,
    });
    const markers = new ByteMarkers();
    const split = new LineSplitter(
      (chunk, start, end) =>
        logger.appendBytes(markers.levelOf(chunk, start, end) ?? 'info', chunk, start, end, STDOUT, TIME),
      60_000,
    );
    for (let at = 0; at < bytes.length; ) {
      const size = 1 + Math.floor(random() * (random() < 0.5 ? 4 : 200));
      // A chunk of its own, as each read from a pipe is; overwritten afterwards, as a reused one would be.
      const chunk = Buffer.from(bytes.subarray(at, at + size));
      split.write(chunk);
      chunk.fill(0x3f);
      at += size;
    }
    split.end();
    await logger.close(10_000);
    // Byte for byte: each body's entries as written, the bodies joined where they were cut.
    return bodies
      .map((body) => {
        expect(body.startsWith('{"entries":[') && body.endsWith(']}')).toBe(true);
        return body.slice('{"entries":['.length, -']}'.length);
      })
      .join(',');
  }

  it('sends every line as JSON.stringify would write its entry, however the output is cut into chunks', async () => {
    const random = seededRandom(2026);
    for (let round = 0; round < 150; round++) {
      const bytes = output(random);
      expect(await sentEntries(bytes, random)).toBe(expectedEntries(bytes).join(','));
    }
  });
});
