import { existsSync, readFileSync } from 'node:fs';
import { createClient } from 'redis';
import { RedisServer } from './redis-server';

const connect = (server: RedisServer) => createClient({ url: server.url }).connect();

async function withClient<T>(server: RedisServer, use: (client: Awaited<ReturnType<typeof connect>>) => Promise<T>) {
  const client = await connect(server);
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

describe('RedisServer', () => {
  let server: RedisServer;

  afterEach(async () => {
    await server?.close();
  });

  it('starts on a free loopback port with append-only persistence and answers commands', async () => {
    server = await RedisServer.start();
    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(server.isRunning).toBe(true);
    await withClient(server, async (client) => {
      expect(await client.ping()).toBe('PONG');
      expect(await client.configGet('appendonly')).toEqual({ appendonly: 'yes' });
      expect(await client.configGet('dir')).toEqual({ dir: server.dir });
    });
  });

  it('runs pinned to the given cores where taskset exists, its pid being the server', async () => {
    server = await RedisServer.start({ cores: '0' });
    await withClient(server, async (client) => expect(await client.ping()).toBe('PONG'));
    const status = readFileSync(`/proc/${server.pid}/status`, 'utf8');
    expect(status).toMatch(/^Name:\s+redis-server/m);
    if (existsSync('/usr/bin/taskset')) expect(status).toMatch(/^Cpus_allowed_list:\s+0$/m);
  });

  it('gives two servers two ports and two directories', async () => {
    server = await RedisServer.start();
    const other = await RedisServer.start();
    try {
      expect(other.port).not.toBe(server.port);
      expect(other.dir).not.toBe(server.dir);
    } finally {
      await other.close();
    }
  });

  it('keeps the data across a graceful stop and a restart on the same port', async () => {
    server = await RedisServer.start();
    await withClient(server, (client) => client.set('kept', 'yes'));
    await server.stop();
    expect(server.isRunning).toBe(false);
    await expect(withClient(server, (client) => client.ping())).rejects.toThrow();
    await server.restart();
    expect(await withClient(server, (client) => client.get('kept'))).toBe('yes');
  });

  it('keeps fsynced writes across a SIGKILL when asked to fsync every write', async () => {
    server = await RedisServer.start({ args: ['--appendfsync', 'always'] });
    await withClient(server, (client) => client.set('kept', 'after a crash'));
    await server.kill();
    await server.restart();
    expect(await withClient(server, (client) => client.get('kept'))).toBe('after a crash');
  });

  it('removes its directory on close', async () => {
    server = await RedisServer.start();
    const dir = server.dir;
    expect(existsSync(dir)).toBe(true);
    await server.close();
    expect(existsSync(dir)).toBe(false);
    expect(server.isRunning).toBe(false);
  });

  it('fails with the server output when redis-server cannot start', async () => {
    await expect(RedisServer.start({ args: ['--no-such-option', 'x'] })).rejects.toThrow(/no-such-option/i);
  });
});
