import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** Called with each chunk of output as it is read: a view of a buffer that the next read reuses. */
export type OutputHandler = (chunk: Buffer) => void;

/** A spawned command and its two output streams, to pause, resume and wait for the 'end' of. */
export interface SpawnedCommand {
  child: ChildProcess;
  stdout: Readable;
  stderr: Readable;
  /** As the child's 'close' event: it has exited, and all of its output has been read. */
  closed: Promise<Exit>;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What Node reads a pipe in at most. */
const READ_BUFFER_BYTES = 64 * 1024;

/** Spawns a command whose stdout and stderr go to the handlers given to outputReaders(). */
export interface OutputReaders {
  spawn(command: string, args: string[]): SpawnedCommand;
}

/**
 * Readers for a command's stdout and stderr, each into one reused buffer. Node's own pipes
 * allocate a fresh 64 KiB buffer for every read, and on this project's VMs the first touch of
 * fresh memory costs ~14 µs a page: reading a command's 100 MB that way took ~300 ms of CPU and
 * ~10,000 page faults, read into a reused buffer ~50 ms and ~350 (docs/performance.md). Node
 * offers reused buffers (`onread`) only for sockets it connects, so each stream is a connected
 * pair of local sockets, as Node's own pipes to a child are; where the pair cannot be made
 * (Windows, or no local socket allowed), Node's pipes are used.
 */
export async function outputReaders(onStdout: OutputHandler, onStderr: OutputHandler): Promise<OutputReaders> {
  const settled = await Promise.allSettled([socketPair(onStdout), socketPair(onStderr)]);
  const [out, err] = settled.map((pair) => (pair.status === 'fulfilled' ? pair.value : null));
  if (!out || !err) {
    // One pair made and not the other (descriptors ran out): the made one, open and unused,
    // would keep the process up after the command ended.
    for (const pair of [out, err]) {
      pair?.ours.destroy();
      pair?.theirs.destroy();
    }
    return { spawn: (command, args) => spawnWithPipes(command, args, onStdout, onStderr) };
  }
  return {
    spawn(command, args) {
      try {
        // The child stays in the wrapper's process group: a build agent's SIGKILL of the group ends both.
        const child = spawn(command, args, { stdio: ['inherit', out.theirs, err.theirs] });
        // Node's 'close' waits for the pipes it made, not for sockets handed to it.
        const read = [out.ours, err.ours].map((socket) => new Promise((done) => socket.once('close', done)));
        const closed = Promise.all([exitOf(child), ...read]).then(([exit]) => exit);
        return { child, stdout: out.ours, stderr: err.ours, closed };
      } finally {
        // The child has its copies (or never started, and 'error' says why): ours would keep the
        // streams open past the child's exit, and no 'end' would come.
        out.theirs.destroy();
        err.theirs.destroy();
      }
    },
  };
}

function spawnWithPipes(
  command: string,
  args: string[],
  onStdout: OutputHandler,
  onStderr: OutputHandler,
): SpawnedCommand {
  const child = spawn(command, args, { stdio: ['inherit', 'pipe', 'pipe'] });
  child.stdout.on('data', onStdout);
  child.stderr.on('data', onStderr);
  return { child, stdout: child.stdout, stderr: child.stderr, closed: exitOf(child) };
}

function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal })));
}

/** Two connected local sockets: `ours` reads into one reused buffer, `theirs` is for the child. */
function socketPair(onChunk: OutputHandler): Promise<{ ours: Socket; theirs: Socket }> {
  if (process.platform === 'win32') return Promise.reject(new Error('no local sockets to pass on'));
  return new Promise((resolve, reject) => {
    // Accepted paused: nothing is ever written our way, and the child gets the socket's descriptor.
    const server = createServer({ pauseOnConnect: true });
    const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
    const path = localSocketPath();
    // Nothing left open on a failure: a listening server keeps the process up.
    const fail = (error: Error) => {
      server.close();
      reject(error);
    };
    server.once('error', fail);
    server.listen(path, () => {
      const ours = createConnection({
        path,
        onread: {
          buffer,
          callback: (bytes) => {
            onChunk(buffer.subarray(0, bytes));
            return true; // read on (pausing is the holder's: pause() stops a socket's reads)
          },
        },
      });
      // Out of descriptors, libuv accepts the connection and closes it at once (no 'error', no
      // 'connection'): ours then closes unaccepted. A connect error closes it as well.
      const unaccepted = () => fail(new Error('the local socket was closed before it was accepted'));
      const ignore = () => undefined;
      ours.once('error', ignore);
      ours.once('close', unaccepted);
      server.once('connection', (theirs) => {
        server.close();
        // From here on a read error and the close are the stream's, as they would be on Node's pipes.
        ours.off('error', ignore);
        ours.off('close', unaccepted);
        resolve({ ours, theirs });
      });
    });
  });
}

/** Linux's abstract namespace leaves no file behind; elsewhere a file in the temp directory, removed on close. */
function localSocketPath(): string {
  const name = `zen-sessions-${process.pid}-${randomBytes(6).toString('hex')}`;
  return process.platform === 'linux' ? `\0${name}` : join(tmpdir(), name);
}
