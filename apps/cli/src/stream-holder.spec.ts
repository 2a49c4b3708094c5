import { PassThrough } from 'node:stream';
import { LineSplitter } from './line-splitter';
import { holder } from './stream-holder';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('holder', () => {
  it('counts a line as held while paused and for a while after the resume, so it is not cut in two', async () => {
    const stream = new PassThrough();
    const hold = holder(stream);
    const lines: string[] = [];
    const splitter = new LineSplitter(
      (bytes, start, end) => lines.push(bytes.toString('utf8', start, end)),
      1000,
      () => hold.heldWithin(1000),
    );
    stream.on('data', (chunk: Buffer) => splitter.write(chunk));
    stream.write('first half, ');
    await sleep(20);
    let release!: () => void;
    hold(new Promise<void>((done) => (release = done)));
    expect(stream.isPaused()).toBe(true);
    await sleep(1400); // the partial-line timer comes due while paused, and is armed again
    release();
    await sleep(0);
    expect(stream.isPaused()).toBe(false);
    expect(hold.heldWithin(1000)).toBe(true);
    // The rest arrives a while after the resume, past the timer's second deadline: still one line.
    await sleep(700);
    stream.write('second half\n');
    await sleep(20);
    expect(lines).toEqual(['first half, second half']);
    await sleep(1000);
    expect(hold.heldWithin(1000)).toBe(false);
  });

  it('resumes for good on release: pending holds, and later ones, no longer pause the stream', async () => {
    const stream = new PassThrough();
    const hold = holder(stream);
    let done!: () => void;
    hold(new Promise<void>((resolve) => (done = resolve)));
    expect(stream.isPaused()).toBe(true);
    hold.release();
    expect(stream.isPaused()).toBe(false);
    hold(new Promise<void>(() => undefined));
    expect(stream.isPaused()).toBe(false);
    done();
    await sleep(0);
    expect(stream.isPaused()).toBe(false);
  });
});
