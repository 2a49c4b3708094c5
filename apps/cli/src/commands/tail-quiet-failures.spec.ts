import { connectionReporter } from './tail-connection-report';
import { QuietFailures } from './tail-quiet-failures';

let told: string[];
beforeEach(() => {
  jest.useFakeTimers();
  told = [];
  // What reaches stderr is recorded, and still written, for every test here.
  const write = process.stderr.write.bind(process.stderr);
  jest.spyOn(process.stderr, 'write').mockImplementation((line: string | Uint8Array) => {
    told.push(String(line));
    return write(line);
  });
});
// The real clock and stderr come back, passed or failed.
afterEach(() => {
  jest.restoreAllMocks();
  jest.useRealTimers();
});

describe('QuietFailures (the lines a lookup of the followed session, or a lost connection, gets while it fails)', () => {
  /** Fails at each of `at` (ms from now: just asked), in order. */
  function failAt(lookup: QuietFailures, at: number[], line = (ms: number) => `failed at ${ms}`): void {
    let now = 0;
    for (const ms of at) {
      jest.advanceTimersByTime(ms - now);
      now = ms;
      lookup.failed(line(ms));
    }
  }

  it('latest (the first lookup): silent for 10 s since first asked, then one line, of the latest failure; none after', () => {
    const lookup = new QuietFailures('latest');
    lookup.waiting();
    failAt(lookup, [0, 250, 750, 1_750, 3_750, 7_750]);
    jest.advanceTimersByTime(9_999 - 7_750);
    expect(told).toEqual([]);
    // Told at the quiet time though the try under way has not failed yet (a request that hangs).
    jest.advanceTimersByTime(1);
    expect(told).toEqual(['zen-sessions: failed at 7750\n']);
    lookup.failed('failed later');
    jest.advanceTimersByTime(5_000);
    lookup.failed('failed later again');
    jest.advanceTimersByTime(60_000);
    expect(told).toHaveLength(1);
    lookup.end();
  });

  it('latest: a first failure after the quiet time (a try that hung until its timeout) is told at once', () => {
    const lookup = new QuietFailures('latest');
    lookup.waiting();
    failAt(lookup, [15_000, 20_000]);
    expect(told).toEqual(['zen-sessions: failed at 15000\n']);
    lookup.end();
  });

  it('each (the checks): every failure held for 10 s since first asked, then told in order, and later ones at once', () => {
    const lookup = new QuietFailures('each');
    lookup.waiting();
    failAt(lookup, [2_000, 5_000]);
    jest.advanceTimersByTime(4_999);
    expect(told).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(told).toEqual(['zen-sessions: failed at 2000\n', 'zen-sessions: failed at 5000\n']);
    lookup.failed('failed at 12000');
    expect(told).toEqual([
      'zen-sessions: failed at 2000\n',
      'zen-sessions: failed at 5000\n',
      'zen-sessions: failed at 12000\n',
    ]);
    lookup.end();
  });

  it('each: failures are forgotten once it answers, and the quiet time begins again at the next ask', () => {
    const lookup = new QuietFailures('each');
    lookup.waiting();
    failAt(lookup, [1_000, 9_000]);
    lookup.succeeded();
    jest.advanceTimersByTime(30_000);
    expect(told).toEqual([]);
    lookup.waiting();
    failAt(lookup, [9_000]);
    expect(told).toEqual([]);
    jest.advanceTimersByTime(1_000);
    expect(told).toEqual(['zen-sessions: failed at 9000\n']);
    lookup.end();
  });

  it('end forgets what is held: nothing is told after the follow is over', () => {
    for (const lines of ['each', 'latest'] as const) {
      const lookup = new QuietFailures(lines);
      lookup.waiting();
      failAt(lookup, [1_000]);
      lookup.end();
    }
    jest.advanceTimersByTime(60_000);
    expect(told).toEqual([]);
  });
});

describe('connectionReporter (the lines a follow s live connection gets)', () => {
  const url = 'ws://server/sessions/ws';
  const lostLine = (detail: string) =>
    `zen-sessions: live updates lost: cannot reconnect to ${url} for 10 s (${detail}); still trying\n`;

  it('cannot connect before it ever did: one line at once, none for the retries', () => {
    const report = connectionReporter(url);
    report.onConnection('lost', 'closed with 1006');
    expect(told).toEqual([`zen-sessions: live updates cannot connect to ${url} (closed with 1006); still trying\n`]);
    report.onConnection('lost', 'could not connect: refused');
    jest.advanceTimersByTime(60_000);
    report.onConnection('lost', 'could not connect: refused');
    expect(told).toHaveLength(1);
    report.end();
  });

  it('lost once open: silent for 10 s since the loss, then one line naming the latest detail; none after', () => {
    const report = connectionReporter(url);
    report.onConnection('open');
    report.onConnection('lost', 'closed with 1006');
    jest.advanceTimersByTime(4_000);
    report.onConnection('lost', 'could not connect: refused');
    jest.advanceTimersByTime(5_999);
    expect(told).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(told).toEqual([lostLine('could not connect: refused')]);
    report.onConnection('lost', 'could not connect: timed out');
    jest.advanceTimersByTime(60_000);
    expect(told).toHaveLength(1);
    report.end();
  });

  it('once per loss: open again, the next loss is quiet for 10 s from then, and a loss ridden out says nothing', () => {
    const report = connectionReporter(url);
    report.onConnection('open');
    report.onConnection('lost', 'closed with 1006');
    jest.advanceTimersByTime(10_000);
    report.onConnection('open');
    report.onConnection('lost', 'closed with 1001');
    jest.advanceTimersByTime(9_000);
    report.onConnection('open');
    jest.advanceTimersByTime(60_000);
    expect(told).toEqual([lostLine('closed with 1006')]);
    report.onConnection('lost', 'closed with 1012');
    jest.advanceTimersByTime(10_000);
    expect(told).toEqual([lostLine('closed with 1006'), lostLine('closed with 1012')]);
    report.end();
  });

  it('end forgets a loss: nothing is told after the follow is over', () => {
    const report = connectionReporter(url);
    report.onConnection('open');
    report.onConnection('lost', 'closed with 1006');
    report.end();
    jest.advanceTimersByTime(60_000);
    expect(told).toEqual([]);
  });
});
