import { spawn } from 'node:child_process';
import { Child, eventually, freePort, REPO, waitUntilServing } from '@zen/testing';

/**
 * `npm start` as the README's quick start runs it, stopped as a terminal, a supervisor or
 * `docker stop` stops it: a signal to npm, the process that was started.
 */
describe('npm start', () => {
  // Found by the operations audit: the script ran the server as a child of `sh -c "… && node …"`;
  // npm passed SIGTERM to that shell, which died without passing it on, and the server lived on as
  // an orphan, still listening on its port, never told to stop.
  it('stops the server gracefully when npm gets SIGTERM, and frees the port', async () => {
    const port = await freePort();
    const npm = new Child(
      spawn('npm', ['start'], {
        cwd: REPO,
        env: { ...process.env, PORT: String(port), NX_NO_CLOUD: 'true', NX_DAEMON: 'false' },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let server: number | undefined;
    try {
      await waitUntilServing(`http://127.0.0.1:${port}/health`, npm, 200, 120_000);
      server = Number(/\[Nest\] (\d+) /.exec(npm.output)?.[1]);
      await npm.stop('SIGTERM');
      await eventually(
        () => expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow(),
        20_000,
        'the server to stop listening',
      );
      await npm.closed;
      expect(npm.output).toContain('Shutting down on SIGTERM');
      expect(npm.output).toContain('Shutdown complete');
    } finally {
      // The orphan the old script left: not to outlive the test.
      if (server && isRunning(server)) process.kill(server, 'SIGKILL');
      await npm.stop('SIGKILL');
    }
  }, 180_000);
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
