import { createServer } from 'node:net';
import { ephemeralPorts, freePort } from './free-port';

describe('freePort', () => {
  it('gives a port outside the ephemeral range that a server can listen on', async () => {
    const [first, last] = ephemeralPorts();
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    // With no room outside it (a range of nearly every port), the kernel's pick is all there is.
    const room = first - 20_000 >= 1_000 || 65_535 - last >= 1_000;
    for (const port of ports) {
      expect({ port, outside: port < first || port > last }).toEqual({ port, outside: room });
      expect(port).toBeGreaterThanOrEqual(1024);
    }
    const server = createServer();
    await new Promise<void>((done, fail) => server.once('error', fail).listen(ports[0], '127.0.0.1', done));
    await new Promise((done) => server.close(done));
  });
});
