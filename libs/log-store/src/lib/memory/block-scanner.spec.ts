import fc from 'fast-check';
import { BlockScanner } from './block-scanner';

/** Where the first match of `pattern` at or after `offset` starts in the whole block, as a Latin-1 string. */
function naiveFirst(pattern: RegExp, block: Buffer, offset: number): number {
  const all = new RegExp(pattern.source, pattern.flags);
  all.lastIndex = offset;
  const match = all.exec(block.toString('latin1'));
  return match ? match.index : Infinity;
}

describe('BlockScanner', () => {
  it('finds what a search of the whole block finds, in every message, whatever the window', () => {
    const bytes = fc.uint8Array({ maxLength: 60 }).map((a) => Buffer.from(a));
    fc.assert(
      fc.property(
        fc.array(bytes, { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 40 }),
        // eslint-disable-next-line no-control-regex
        fc.constantFrom(/["\\\x00-\x1f]/g, /[\r\n]/g, /[\x80-\xff]/g),
        fc.nat(11),
        (messages, window, pattern, skip) => {
          const block = Buffer.concat(messages);
          const scanner = new BlockScanner(pattern, window);
          let offset = 0;
          messages.forEach((message, i) => {
            const end = offset + message.length;
            // A read may start at any message of the block.
            if (i >= skip % messages.length) {
              for (let from = offset; from <= end; from++) {
                const found = scanner.firstAtOrAfter(block, from, end);
                const expected = naiveFirst(pattern, block, from);
                if (expected < end) expect(found).toBe(expected);
                else expect(found).toBeGreaterThanOrEqual(end);
              }
            }
            offset = end;
          });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('finds a match of several bytes that lies within the message, across a window edge', () => {
    const block = Buffer.from('aaaaFAILEDbbbb');
    const scanner = new BlockScanner(/failed/gi, 3);
    expect(scanner.firstAtOrAfter(block, 0, 2)).toBeGreaterThanOrEqual(2);
    // The next message starts at 2 and holds FAILED at 4..10: the window covers it whole.
    expect(scanner.firstAtOrAfter(block, 2, 12)).toBe(4);
  });
});
