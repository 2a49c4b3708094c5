import { logFileName } from './log-download';

const ID = '0123456789abcdef01234567';

describe('logFileName', () => {
  it('names the file <appname>-<id>.log or .ndjson, keeping letters of any script', () => {
    expect(logFileName({ appname: 'UnrealEditor-Cmd', id: ID }, 'text')).toBe(`UnrealEditor-Cmd-${ID}.log`);
    expect(logFileName({ appname: 'Éditeur エディタ', id: ID }, 'ndjson')).toBe(`Éditeur エディタ-${ID}.ndjson`);
  });

  it('writes what a file name cannot hold (separators, <>:"|?*, control characters) as _', () => {
    expect(logFileName({ appname: 'a/b\\c:d*e?f"g<h>i|j\u0007k', id: ID }, 'text')).toBe(
      `a_b_c_d_e_f_g_h_i_j_k-${ID}.log`,
    );
  });

  it('shortens a long app name so that the name fits 255 bytes with its id and extension', () => {
    const ascii = logFileName({ appname: 'A'.repeat(256), id: ID }, 'ndjson');
    expect(ascii).toBe(`${'A'.repeat(255 - `-${ID}.ndjson`.length)}-${ID}.ndjson`);
    const wide = logFileName({ appname: 'エ'.repeat(256), id: ID }, 'text');
    expect(new TextEncoder().encode(wide).length).toBeLessThanOrEqual(255);
    expect(wide).toMatch(new RegExp(`^エ+-${ID}\\.log$`));
  });
});
