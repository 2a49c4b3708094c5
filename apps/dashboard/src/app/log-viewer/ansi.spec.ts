import { parseAnsi, plainText } from './ansi';

describe('ANSI rendering', () => {
  it('leaves a plain message as one segment', () => {
    expect(parseAnsi('plain <b>text</b>')).toEqual([{ text: 'plain <b>text</b>' }]);
  });

  it('renders the 16 basic colours and bold, and resets', () => {
    expect(parseAnsi('\x1b[31mred\x1b[0m and \x1b[1;92mbold bright green\x1b[22m plain green\x1b[m.')).toEqual([
      { text: 'red', fg: 'rgb(205, 49, 49)' },
      { text: ' and ' },
      { text: 'bold bright green', fg: 'rgb(35, 209, 139)', bold: true },
      { text: ' plain green', fg: 'rgb(35, 209, 139)' },
      { text: '.' },
    ]);
  });

  it('renders 256-colour and 24-bit foregrounds and backgrounds', () => {
    expect(parseAnsi('\x1b[38;5;196mA\x1b[48;5;244mB\x1b[38;2;10;20;30mC\x1b[49;39mD')).toEqual([
      { text: 'A', fg: 'rgb(255, 0, 0)' },
      { text: 'B', fg: 'rgb(255, 0, 0)', bg: 'rgb(128, 128, 128)' },
      { text: 'C', fg: 'rgb(10, 20, 30)', bg: 'rgb(128, 128, 128)' },
      { text: 'D' },
    ]);
  });

  it('strips every other escape and control character', () => {
    const segments = parseAnsi('\x1b[2K\x1b[1Gprogress\x1b]0;title\x07 50%\x1b[?25l\x07\x08 done\x1b=\r');
    expect(plainText(segments)).toBe('progress 50% done');
    expect(segments).toEqual([{ text: 'progress 50% done' }]);
  });

  it('keeps tabs and newlines, ignores malformed colour codes', () => {
    expect(plainText(parseAnsi('a\tb\nc'))).toBe('a\tb\nc');
    expect(parseAnsi('\x1b[38;2;300;0;0mX')).toEqual([{ text: 'X' }]);
  });

  it('reads the colon form of 256-colour and 24-bit codes, with or without the colour space', () => {
    expect(parseAnsi('\x1b[38:2::255:0:0mA\x1b[38:2:0:0:255mB\x1b[48:5:196;1mC')).toEqual([
      { text: 'A', fg: 'rgb(255, 0, 0)' },
      { text: 'B', fg: 'rgb(0, 0, 255)' },
      { text: 'C', fg: 'rgb(0, 0, 255)', bg: 'rgb(255, 0, 0)', bold: true },
    ]);
  });

  it('takes the 8-bit CSI and OSC and strips the other C1 controls', () => {
    expect(parseAnsi('\x9b31mred\x9b0m \x9d0;title\x9cok\x85')).toEqual([
      { text: 'red', fg: 'rgb(205, 49, 49)' },
      { text: ' ok' },
    ]);
  });

  it('shows a line redrawn after a carriage return as the terminal last shows it, other lines kept', () => {
    // npm / cargo progress: erase the line, back to its start, draw it again.
    expect(parseAnsi('\x1b[32mprogress\x1b[0m 10%\x1b[2K\rprogress \x1b[1m100%')).toEqual([
      { text: 'progress ' },
      { text: '100%', bold: true },
    ]);
    expect(plainText(parseAnsi('first\n 1/3\r 2/3\r 3/3\nlast'))).toBe('first\n 3/3\nlast');
    // A carriage return that ends a line, or the message, is only dropped.
    expect(plainText(parseAnsi('a\r\nb\r\r\nc\r'))).toBe('a\nb\nc');
    expect(plainText(parseAnsi('a\r\x1b[31m\nb'))).toBe('a\nb');
  });

  it('strips a sequence cut off at the end of a message', () => {
    expect(plainText(parseAnsi('done\x1b[38;2;300;1'))).toBe('done');
    expect(plainText(parseAnsi('done\x1b]0;tit'))).toBe('done');
  });
});
