import { NEST_LEVELS, readNestMessage } from './nest-logging';

describe('readNestMessage', () => {
  it('keeps a message that is not a function as it is', () => {
    const record = { a: 1 };
    expect(readNestMessage('text')).toBe('text');
    expect(readNestMessage(record)).toBe(record);
  });

  it('reads a lazy message as what it returns, through nested functions, calling each once', () => {
    let calls = 0;
    expect(readNestMessage(() => () => `computed ${++calls}`)).toBe('computed 1');
    expect(calls).toBe(1);
  });

  it('reads a class as its name, without constructing it', () => {
    class Probe {
      constructor() {
        throw new Error('constructed');
      }
    }
    expect(readNestMessage(Probe)).toBe('Probe');
  });

  it('reads a function that throws as a line saying so, never throwing', () => {
    expect(
      readNestMessage(() => {
        throw new Error('boom');
      }),
    ).toBe("(the message's function threw: boom)");
  });
});

describe('NEST_LEVELS', () => {
  it('maps as API.md says: log→info, warn→warn, error and fatal→error, debug and verbose→debug', () => {
    const written = 'log→info warn→warn error→error fatal→error debug→debug verbose→debug';
    expect(NEST_LEVELS).toEqual(Object.fromEntries(written.split(' ').map((pair) => pair.split('→'))));
  });
});
