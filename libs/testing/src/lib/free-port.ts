import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/**
 * A TCP port on 127.0.0.1 that nothing listens on right now, picked at random below the
 * system's ephemeral range: the kernel gives ports of that range to every outgoing
 * connection (each test's HTTP and WebSocket clients, a benchmark's thousands), and one of
 * them could take a port of that range between this check and the server's own bind. Below
 * it, only another test picking the same port at the same moment could.
 */
export async function freePort(): Promise<number> {
  const [low, high] = FREE_RANGE;
  for (let tries = 0; tries < 50; tries++) {
    const port = low + Math.floor(Math.random() * (high - low));
    if (await listenable(port)) return port;
  }
  throw new Error(`no free port found in ${low}-${high - 1} after 50 tries`);
}

/** [low, high): from 20000 up to the ephemeral range's start (Linux: 32768). */
const FREE_RANGE: [number, number] = [20_000, Math.max(ephemeralStart(), 21_000)];

function ephemeralStart(): number {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) ? start : 32_768;
  } catch {
    return 32_768;
  }
}

function listenable(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}
