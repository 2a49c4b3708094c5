import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BuiltServer } from './built-server';
import { freePort } from './free-port';
import { REPO } from './repo';

// Each test starts (and stops, and restarts) a real server: generous on a busy machine.
jest.setTimeout(120_000);

describe('BuiltServer (dist/apps/api/main.js)', () => {
  let server: BuiltServer | undefined;

  afterEach(async () => {
    await server?.stop('SIGKILL');
    server = undefined;
  });

  it('is the built server, which the test target builds first', () => {
    expect(existsSync(join(REPO, 'dist/apps/api/main.js'))).toBe(true);
  });

  it('starts with the given environment on a free loopback port and is ready once started', async () => {
    server = await BuiltServer.start({ BASE_PATH: '/zen', LOG_CAPACITY: '7' });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/zen`);
    expect(server.wsUrl).toBe(`ws://127.0.0.1:${server.port}/zen`);
    expect(server.alive).toBe(true);
    expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
    expect(server.rss()).toBeGreaterThan(1_000_000);
  });

  it('stops gracefully on SIGTERM (exit code 0) and starts again on the same port, keeping the output', async () => {
    const port = await freePort();
    server = await BuiltServer.start({}, port);
    expect(await server.stop()).toBe(0);
    expect(server.alive).toBe(false);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
    const firstRun = server.output;
    expect(firstRun.length).toBeGreaterThan(0);
    await server.restart();
    expect(server.port).toBe(port);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(server.output.startsWith(firstRun)).toBe(true);
  });

  it('takes signals: SIGSTOP leaves connections unanswered until SIGCONT, and a stopped server still stops', async () => {
    server = await BuiltServer.start();
    expect(server.pid).toBeGreaterThan(0);
    server.signal('SIGSTOP');
    await expect(fetch(`${server.url}/health`, { signal: AbortSignal.timeout(500) })).rejects.toThrow();
    server.signal('SIGCONT');
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    server.signal('SIGSTOP');
    expect(await server.stop()).toBe(0);
  });

  it('runs a server expected to stop by itself to its exit, with its output', async () => {
    const { code, output } = await BuiltServer.runToExit({ PORT: 'abc' });
    expect(code).not.toBe(0);
    expect(output).toMatch(/PORT/);
  });

  it('fails to start with the server output when the server exits', async () => {
    await expect(BuiltServer.start({ LOG_CAPACITY: '-1' })).rejects.toThrow(/process exited[\s\S]*LOG_CAPACITY/);
  });
});
