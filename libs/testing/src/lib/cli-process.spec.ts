import { BuiltServer } from './built-server';
import { killRunningClis, startCli } from './cli-process';
import { sessionIdOf } from './session-line';

// A real server and the built CLI: generous on a busy machine.
jest.setTimeout(120_000);

describe('CliProcess.sessionId (the built CLI, dist/apps/cli/main.js)', () => {
  afterAll(() => killRunningClis());

  it("waits for the session id `run` prints, the one it logs the command's output under", async () => {
    const server = await BuiltServer.start();
    try {
      const run = startCli(['run', '--', process.execPath, '-e', 'setTimeout(() => {}, 1000)'], {
        env: { ZEN_SESSIONS_URL: server.url },
        input: '',
      });
      const id = await run.sessionId();
      expect(id).toMatch(/^[0-9a-f]{24}$/);
      expect((await run.done).code).toBe(0);
      expect(sessionIdOf(run.stderr)).toBe(id);
      expect((await fetch(`${server.url}/sessions/${id}`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('fails, showing what it printed, once it exits without one (not at the end of its wait)', async () => {
    const run = startCli(['run'], { env: { ZEN_SESSIONS_URL: 'http://127.0.0.1:9' }, input: '' });
    await expect(run.sessionId(10 * 60_000)).rejects.toThrow(/^no session id in:\nerror: missing required argument/);
  });
});

describe('sessionIdOf', () => {
  it('is the id in a `session <oid>` line, and throws, showing the text, without one', () => {
    expect(sessionIdOf('warning: x\nsession 0123456789abcdef01234567 http://h/dashboard\n')).toBe(
      '0123456789abcdef01234567',
    );
    expect(() => sessionIdOf('warning: the server refused it\n')).toThrow(
      'no session id in:\nwarning: the server refused it\n',
    );
  });
});
