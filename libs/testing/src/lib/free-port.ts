import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, picked at random outside the
 * system's ephemeral range: the kernel gives ports of that range to every outgoing connection
 * (each test's HTTP and WebSocket clients, a benchmark's thousands), and one of them could take
 * a port of that range between this check and the server's own bind. Outside it, only another
 * test picking the same port at the same moment could. With no room outside it (a range of
 * nearly every port), the kernel picks one of it.
 */
export async function freePort(): Promise<number> {
  const range = FREE_RANGE;
  if (!range) return kernelPort();
  const [low, high] = range;
  for (let tries = 0; tries < 50; tries++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await listenable(port)) return port;
  }
  throw new Error(`no free port found in ${low}-${high - 1} after 50 tries`);
}

/** The ephemeral range, [first, last], as Linux has it (its default elsewhere). */
export function ephemeralPorts(): [number, number] {
  try {
    const [first, last] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/)
      .map(Number);
    if (Number.isInteger(first) && Number.isInteger(last)) return [first, last];
  } catch {
    // Not Linux: its default.
  }
  return [32_768, 60_999];
}

/** [low, high) outside the ephemeral range, at least 1,000 ports wide: below it from 20000, else above it. */
const FREE_RANGE: [number, number] | null = (() => {
  const [first, last] = ephemeralPorts();
  if (first - 20_000 >= 1_000) return [20_000, first];
  if (65_535 - last >= 1_000) return [last + 1, 65_536];
  return null;
})();

function listenable(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

function kernelPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}
