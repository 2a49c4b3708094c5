import { createServer, Server } from 'node:net';
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

  it('stops when the port is taken, naming HOST and PORT', async () => {
    const port = await freePort();
    const squatter: Server = await new Promise((done) => {
      const server = createServer().listen(port, '127.0.0.1', () => done(server));
    });
    try {
      const { code, output } = await BuiltServer.runToExit({ PORT: String(port), HOST: '127.0.0.1' });
      expect(code).toBe(1);
      expect(output).toContain(`Cannot listen on 127.0.0.1:${port} (HOST, PORT): EADDRINUSE`);
      expect(output).not.toMatch(/\n\s+at /);
    } finally {
      await new Promise((done) => squatter.close(done));
    }
  });
});
