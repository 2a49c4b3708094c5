import { join } from 'node:path';

/** The dev server's proxy configuration as `nx serve dashboard` loads it, with `env` set. */
function proxyWith(env: Record<string, string | undefined>): Record<string, { target: string; ws: boolean }> {
  const file = join(__dirname, '../proxy.conf.cjs');
  const saved = process.env['ZEN_SESSIONS_URL'];
  jest.resetModules();
  process.env['ZEN_SESSIONS_URL'] = env['ZEN_SESSIONS_URL'];
  if (env['ZEN_SESSIONS_URL'] === undefined) delete process.env['ZEN_SESSIONS_URL'];
  try {
    return require(file);
  } finally {
    if (saved === undefined) delete process.env['ZEN_SESSIONS_URL'];
    else process.env['ZEN_SESSIONS_URL'] = saved;
  }
}

describe('the dev server proxy', () => {
  it('sends /sessions, HTTP and WebSocket, to the API at its default address', () => {
    expect(proxyWith({})['/sessions']).toEqual({ target: 'http://127.0.0.1:8558', secure: false, ws: true });
  });

  it('follows an API started elsewhere, named as the CLI names it (ZEN_SESSIONS_URL)', () => {
    expect(proxyWith({ ZEN_SESSIONS_URL: 'http://127.0.0.1:9123' })['/sessions'].target).toBe('http://127.0.0.1:9123');
  });
});
