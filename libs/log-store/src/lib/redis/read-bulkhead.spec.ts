import { eventually } from '@zen/testing';
import { isLargeRead, LARGE_READ_ENTRIES, ReadBulkhead, ReadTurnTimeout } from './read-bulkhead';

/** A read that runs until the test settles it, recording when it started. */
class HeldRead {
  started = false;
  private settle!: { resolve: (value: string) => void; reject: (error: Error) => void };
  readonly promise = new Promise<string>((resolve, reject) => (this.settle = { resolve, reject }));

  constructor(readonly name: string) {}

  read = (): Promise<string> => {
    this.started = true;
    return this.promise;
  };

  answer(): void {
    this.settle.resolve(this.name);
  }

  fail(): void {
    this.settle.reject(new Error(`${this.name} failed`));
  }
}

const tick = () => new Promise((done) => setImmediate(done));

describe('ReadBulkhead', () => {
  it('runs at most `size` reads at once, the others in order of arrival as turns free', async () => {
    const bulkhead = new ReadBulkhead(2, 60_000);
    const reads = ['a', 'b', 'c', 'd', 'e'].map((name) => new HeldRead(name));
    const order: string[] = [];
    const answers = reads.map((read) => bulkhead.run(read.read).then((value) => order.push(value)));
    await tick();
    expect(reads.map((read) => read.started)).toEqual([true, true, false, false, false]);
    expect(bulkhead.load).toEqual({ running: 2, waiting: 3 });
    reads[1].answer();
    await eventually(() => reads[2].started);
    expect(reads.map((read) => read.started)).toEqual([true, true, true, false, false]);
    reads[0].answer();
    await eventually(() => reads[3].started);
    expect(reads[4].started).toBe(false);
    for (const read of reads.slice(2)) read.answer();
    await Promise.all(answers);
    expect(order).toEqual(['b', 'a', 'c', 'd', 'e']);
    expect(bulkhead.load).toEqual({ running: 0, waiting: 0 });
  });

  it('refuses a read that waited maxWaitMs for its turn, without running it, and gives its place to the next', async () => {
    const bulkhead = new ReadBulkhead(1, 50);
    const first = new HeldRead('first');
    const late = new HeldRead('late');
    const running = bulkhead.run(first.read);
    await expect(bulkhead.run(late.read)).rejects.toThrow(new ReadTurnTimeout('it waited 50 ms for its turn'));
    expect(late.started).toBe(false);
    expect(bulkhead.load).toEqual({ running: 1, waiting: 0 });
    // The refused read's place is gone: the next one runs as soon as the first is answered.
    const next = new HeldRead('next');
    const after = bulkhead.run(next.read);
    first.answer();
    await eventually(() => next.started);
    next.answer();
    await expect(Promise.all([running, after])).resolves.toEqual(['first', 'next']);
    expect(bulkhead.load).toEqual({ running: 0, waiting: 0 });
  });

  it('with maxWaitMs 0, refuses a read at once when every turn is taken', async () => {
    const bulkhead = new ReadBulkhead(1, 0);
    const first = new HeldRead('first');
    const running = bulkhead.run(first.read);
    await expect(bulkhead.run(() => Promise.resolve('never'))).rejects.toBeInstanceOf(ReadTurnTimeout);
    first.answer();
    await expect(running).resolves.toBe('first');
  });

  it('frees the turn of a read that fails (or throws before its promise), leaking none', async () => {
    const bulkhead = new ReadBulkhead(1, 60_000);
    const failing = new HeldRead('failing');
    const failed = bulkhead.run(failing.read);
    const thrower = bulkhead.run<string>(() => {
      throw new Error('thrown at once');
    });
    const next = new HeldRead('next');
    const after = bulkhead.run(next.read);
    failing.fail();
    await expect(failed).rejects.toThrow('failing failed');
    await expect(thrower).rejects.toThrow('thrown at once');
    await eventually(() => next.started);
    next.answer();
    await expect(after).resolves.toBe('next');
    expect(bulkhead.load).toEqual({ running: 0, waiting: 0 });
  });
});

describe('isLargeRead', () => {
  it('is every held entry, or a limit above LARGE_READ_ENTRIES', () => {
    expect(isLargeRead('all')).toBe(true);
    expect(isLargeRead(String(LARGE_READ_ENTRIES + 1))).toBe(true);
    expect(isLargeRead(String(LARGE_READ_ENTRIES))).toBe(false);
    expect(isLargeRead('100')).toBe(false);
    expect(isLargeRead('0')).toBe(false);
  });
});
