import { LookupQueue } from './lookup-queue';

/** A lookup that settles only when told to, and whether it was asked. */
function pendingLookup() {
  let settle!: (value: string) => void;
  const answer = new Promise<string>((resolve) => (settle = resolve));
  const lookup = { asked: false, settle, task: () => ((lookup.asked = true), answer) };
  return lookup;
}

const flush = () => new Promise((done) => setImmediate(done));

describe('LookupQueue', () => {
  it('asks at most `limit` at once, the others in order as places free', async () => {
    const queue = new LookupQueue(2, 60_000);
    const lookups = [pendingLookup(), pendingLookup(), pendingLookup(), pendingLookup()];
    const answers = lookups.map((lookup) => queue.run(lookup.task, new AbortController().signal));
    await flush();
    expect(lookups.map((lookup) => lookup.asked)).toEqual([true, true, false, false]);
    // A place frees: the first of the two waiting is asked, the other still waits.
    lookups[1].settle('b');
    await expect(answers[1]).resolves.toBe('b');
    await flush();
    expect(lookups.map((lookup) => lookup.asked)).toEqual([true, true, true, false]);
    lookups[0].settle('a');
    await expect(answers[0]).resolves.toBe('a');
    await flush();
    expect(lookups[3].asked).toBe(true);
  });

  // Found by stop 45's audit: a lookup function of the user's that never settles, for a follow
  // still wanted, held its place for good, and `limit` of them every other follow's check.
  it('lets the next lookup start once one has held its place for `placeMs`, and still takes its answer', async () => {
    const queue = new LookupQueue(1, 50);
    const stuck = pendingLookup();
    const next = pendingLookup();
    const stuckAnswer = queue.run(stuck.task, new AbortController().signal);
    void queue.run(next.task, new AbortController().signal);
    await flush();
    expect([stuck.asked, next.asked]).toEqual([true, false]);
    await new Promise((done) => setTimeout(done, 200));
    expect(next.asked).toBe(true);
    stuck.settle('late');
    await expect(stuckAnswer).resolves.toBe('late');
  });

  it('drops a waiting lookup whose signal aborts, never asked, and frees an aborted one s place at once', async () => {
    const queue = new LookupQueue(1, 60_000);
    const first = pendingLookup();
    const second = pendingLookup();
    const third = pendingLookup();
    const firstAbort = new AbortController();
    const secondAbort = new AbortController();
    void queue.run(first.task, firstAbort.signal).catch(() => undefined);
    const secondAnswer = queue.run(second.task, secondAbort.signal);
    void queue.run(third.task, new AbortController().signal);
    secondAbort.abort(new Error('not wanted'));
    await expect(secondAnswer).rejects.toThrow('not wanted');
    firstAbort.abort();
    await flush();
    expect([first.asked, second.asked, third.asked]).toEqual([true, false, true]);
  });
});
