import { connection } from './connection';
import { exitCodeOf, UsageError } from './reporting';

describe('connection (the global options)', () => {
  const saved = process.env['ZEN_SESSIONS_TOKEN'];
  afterEach(() => {
    if (saved === undefined) delete process.env['ZEN_SESSIONS_TOKEN'];
    else process.env['ZEN_SESSIONS_TOKEN'] = saved;
  });
  const server = 'http://127.0.0.1:8558';
  const failure = (run: () => unknown): unknown => {
    try {
      run();
    } catch (error) {
      return error;
    }
    throw new Error('no error');
  };

  it('takes a token a header can carry, from --token or else ZEN_SESSIONS_TOKEN (empty: unset)', () => {
    delete process.env['ZEN_SESSIONS_TOKEN'];
    expect(connection({ server, token: 'a.b-c_d~e+f/g=' }).token).toBe('a.b-c_d~e+f/g=');
    expect(connection({ server, token: 'tök en' }).token).toBe('tök en');
    expect(connection({ server }).token).toBeUndefined();
    process.env['ZEN_SESSIONS_TOKEN'] = 'from-env';
    expect(connection({ server }).token).toBe('from-env');
    expect(connection({ server, token: 'option-wins' }).token).toBe('option-wins');
    process.env['ZEN_SESSIONS_TOKEN'] = '';
    expect(connection({ server }).token).toBeUndefined();
  });

  it('refuses a token with a control character or one beyond U+00FF as a usage error naming its source, not the token', () => {
    delete process.env['ZEN_SESSIONS_TOKEN'];
    for (const [token, character] of [
      ['bad\ntoken', 'U+000A (character 4)'],
      ['bad\r', 'U+000D (character 4)'],
      ['\x01x', 'U+0001 (character 1)'],
      ['a\tb', 'U+0009 (character 2)'],
      ['del\x7f', 'U+007F (character 4)'],
      ['😀тoken', 'U+1F600 (character 1)'],
      ['t😀тoken', 'U+1F600 (character 2)'],
      ['tтoken', 'U+0442 (character 2)'],
    ]) {
      const error = failure(() => connection({ server, token })) as Error;
      expect(error).toBeInstanceOf(UsageError);
      expect(exitCodeOf(error)).toBe(2);
      expect(error.message).toBe(
        `--token holds ${character}, which an HTTP header cannot carry: a token has no control characters and none beyond U+00FF`,
      );
      expect(error.message).not.toContain(token);
    }
    process.env['ZEN_SESSIONS_TOKEN'] = 'secret\n';
    expect(failure(() => connection({ server }))).toMatchObject({
      message: expect.stringMatching(/^ZEN_SESSIONS_TOKEN holds U\+000A \(character 7\), which an HTTP header/),
    });
    // The option wins: a bad variable it replaces is never read.
    expect(connection({ server, token: 'good' }).token).toBe('good');
  });

  it('refuses a server with a query, a fragment or whitespace, even an empty one URL would overlook', () => {
    for (const bad of [
      'http://127.0.0.1:8558?',
      'http://127.0.0.1:8558/?',
      'http://127.0.0.1:8558#',
      'http://127.0.0.1:8558/zen?x=1',
      'http://127.0.0.1:8558/ ',
      ' http://127.0.0.1:8558',
      'http://127.0.0.1:8558\r',
      'http://127.0.0.1:8558/a b',
    ]) {
      const error = failure(() => connection({ server: bad })) as Error;
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toBe(
        `the server must be an http:// or https:// URL (base path included) with no query, fragment or whitespace, not ${JSON.stringify(bad)}`,
      );
    }
    expect(connection({ server: 'https://host.example/zen/' }).server).toBe('https://host.example/zen');
  });

  it('checks the server before the token', () => {
    expect(failure(() => connection({ server: 'notaurl', token: 'bad\n' }))).toMatchObject({
      message: expect.stringMatching(/^the server must be an http/),
    });
  });
});
