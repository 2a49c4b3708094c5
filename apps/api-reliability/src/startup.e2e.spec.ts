import { createServer, Server } from 'node:net';
import { SessionsClient } from '@zen/client';
import { BuiltServer, freePort } from '@zen/testing';

/** The built server refusing to start: a clear message naming the setting, exit code 1, no stack. */
describe('start-up failures', () => {
  it('stops on bad settings, naming every bad variable', async () => {
    const { code, output } = await BuiltServer.runToExit({ PORT: 'abc', LOG_CAPACITY: '-1', HOST: 'no such host!' });
    expect(code).toBe(1);
    expect(output).toContain('PORT must be an integer 0–65535 (got "abc")');
    expect(output).toContain('LOG_CAPACITY must be an integer');
    expect(output).toContain('HOST must be an IP address or a host name (');
    expect(output).not.toMatch(/\n\s+at /);
  });

  it('starts with a setting misspelt (ignored), saying so in a warning on the console and in its own log', async () => {
    const server = await BuiltServer.start({ SESSION_TIMEOUT_S: '30', LOG_CAPACITY: '500' });
    try {
      const line = 'SESSION_TIMEOUT_S is not a setting (SESSIONS_TIMEOUT_S is): it is ignored';
      // eslint-disable-next-line no-control-regex
      const printed = server.output.replace(/\x1b\[[0-9;]*m/g, '');
      expect(printed).toMatch(
        /WARN \[Config\] SESSION_TIMEOUT_S is not a setting \(SESSIONS_TIMEOUT_S is\): it is ignored\n/,
      );
      const client = new SessionsClient({ server: server.url });
      const { serverSessionId } = await client.sessions.list();
      const { entries } = await client.logs.readAll(serverSessionId);
      expect(entries).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ level: 'warn', message: line, data: { context: 'Config' } }),
        ]),
      );
      expect(server.output).not.toMatch(/LOG_CAPACITY is not a setting/);
    } finally {
      await server.stop();
    }
  });

  it('stops when the port is taken with one line naming the port and PORT, and nothing else', async () => {
    const port = await freePort();
    const squatter: Server = await new Promise((done) => {
      const server = createServer().listen(port, '127.0.0.1', () => done(server));
    });
    try {
      const { code, output } = await BuiltServer.runToExit({ PORT: String(port), HOST: '127.0.0.1' });
      expect(code).toBe(1);
      expectOnlyLine(
        output,
        `Cannot listen on 127.0.0.1:${port} (HOST, PORT): EADDRINUSE, another process listens on port ${port}; set PORT to a free port`,
      );
    } finally {
      await new Promise((done) => squatter.close(done));
    }
  });

  it('stops on a HOST that is not an address of this machine with one line naming HOST, and nothing else', async () => {
    // 192.0.2.0/24 is TEST-NET-1, documentation only: no machine has it.
    const { code, output } = await BuiltServer.runToExit({ PORT: String(await freePort()), HOST: '192.0.2.1' });
    expect(code).toBe(1);
    expectOnlyLine(
      output,
      `(HOST, PORT): EADDRNOTAVAIL, 192.0.2.1 is not an address of this machine; set HOST to one of its addresses`,
    );
  });
});

/**
 * The whole output (stdout and stderr) is one line, containing `line`: nothing claims the start
 * succeeded, no stack, none of the start-up or shutdown messages around it.
 */
function expectOnlyLine(output: string, line: string): void {
  expect(output).not.toContain('successfully started');
  expect(output).not.toMatch(/\n\s+at /);
  expect(output.trim().split('\n')).toEqual([expect.stringContaining(line)]);
}
