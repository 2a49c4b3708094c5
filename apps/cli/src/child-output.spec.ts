import { createHash } from 'node:crypto';
import { outputReaders } from './child-output';

/** Writes `bytes` pseudo-random bytes to stdout and 1,000 lines to stderr, and exits at once. */
const WRITER = `
const { randomFillSync } = require('node:crypto');
const out = Buffer.alloc(Number(process.argv[1]));
randomFillSync(out);
process.stdout.write(out);
for (let i = 0; i < 1000; i++) process.stderr.write('line ' + i + '\\n');
process.exitCode = 3;
`;

/** A hash and a count of what the reader was handed, and which buffers it came in. */
function collector() {
  const hash = createHash('sha256');
  const buffers = new Set<ArrayBufferLike>();
  let bytes = 0;
  const onChunk = (chunk: Buffer) => {
    hash.update(chunk);
    buffers.add(chunk.buffer);
    bytes += chunk.length;
  };
  return { onChunk, buffers, bytes: () => bytes, digest: () => hash.digest('hex') };
}

describe('outputReaders', () => {
  it('counts the command as closed only once all of its output has been read', async () => {
    const out = collector();
    const err = collector();
    const readers = await outputReaders(out.onChunk, err.onChunk);
    // Small enough to sit in the pipe's buffer (64 KiB) while unread, so that the command can exit.
    const size = 64 * 1024;
    const { child, stdout, closed } = readers.spawn(process.execPath, ['-e', WRITER, String(size)]);
    stdout.pause();
    await new Promise((exited) => child.once('exit', exited));
    let settled = false;
    void closed.then(() => (settled = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(settled).toBe(false);
    stdout.resume();
    expect(await closed).toEqual({ code: 3, signal: null });
    expect(out.bytes()).toBe(size);
    expect(err.bytes()).toBe(Array.from({ length: 1000 }, (_, i) => `line ${i}\n`).join('').length);
  });

  it('reads a large output through one reused buffer', async () => {
    const out = collector();
    const readers = await outputReaders(out.onChunk, () => undefined);
    const size = 8 * 1024 * 1024;
    await readers.spawn(process.execPath, ['-e', WRITER, String(size)]).closed;
    expect(out.bytes()).toBe(size);
    // 8 MiB arrives in many reads, all of them into the same memory.
    expect(out.buffers.size).toBe(1);
  });

  it('hands over the bytes unchanged and in order', async () => {
    const got = collector();
    const readers = await outputReaders(got.onChunk, () => undefined);
    const { closed } = readers.spawn(process.execPath, [
      '-e',
      `process.stdout.write(require('node:fs').readFileSync(${JSON.stringify(process.execPath)}))`,
    ]);
    await closed;
    const { readFileSync } = await import('node:fs');
    expect(got.digest()).toBe(createHash('sha256').update(readFileSync(process.execPath)).digest('hex'));
  });

  it('reports a command that cannot start, and closes its streams', async () => {
    const readers = await outputReaders(
      () => undefined,
      () => undefined,
    );
    const { child, stdout, stderr, closed } = readers.spawn('/nonexistent/command', []);
    const error = new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
    expect((await error).code).toBe('ENOENT');
    await closed;
    expect(stdout.destroyed && stderr.destroyed).toBe(true);
  });
});
