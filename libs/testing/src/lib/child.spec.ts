import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Child, waitUntilServing } from './child';

const node = (script: string) =>
  new Child(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] }));

describe('Child', () => {
  it('keeps what the process printed on stdout and stderr, and its exit code once closed', async () => {
    const child = node('console.log("out"); console.error("err"); process.exit(3)');
    expect(await child.closed).toBe(3);
    expect(child.output).toContain('out');
    expect(child.output).toContain('err');
    expect(child.alive).toBe(false);
  });

  it('stops a running process with SIGTERM by default', async () => {
    const child = node('setInterval(() => undefined, 1000)');
    expect(child.alive).toBe(true);
    expect(await child.stop()).toBeNull();
    expect(child.process.signalCode).toBe('SIGTERM');
  });
});

describe('waitUntilServing', () => {
  it('returns once the URL answers the status', async () => {
    const server = createServer((_, res) => res.writeHead(204).end());
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const child = node('setInterval(() => undefined, 1000)');
    try {
      await waitUntilServing(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, child, 204);
    } finally {
      await child.stop();
      server.close();
    }
  });

  it('fails with the output when the process exits first', async () => {
    const child = node('console.error("cannot start: reason"); process.exit(1)');
    await expect(waitUntilServing('http://127.0.0.1:1/', child)).rejects.toThrow(
      /process exited before .* answered:\ncannot start: reason/,
    );
  });
});
