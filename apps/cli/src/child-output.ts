import { ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { createConnection, createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';

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
 * offers reused buffers (`onread`) only for the streams it wraps itself (`net.Socket`), so each
 * stream is a named pipe (FIFO, removed once both ends are open) read through such a socket.
 * A pipe, not a pair of local sockets as Node's own pipes to a child are: the command must be
 * able to open `/dev/stdout` and `/dev/stderr` (`echo oops > /dev/stderr`, `tee /dev/stdout`), as
 * it can bare in a pipeline, and Linux refuses to open a socket's descriptor (ENXIO). Where no
 * FIFO can be made (no `mkfifo`), a pair of local sockets is used, and where neither can be
 * (Windows, descriptors run out), Node's pipes.
 */
export async function outputReaders(onStdout: OutputHandler, onStderr: OutputHandler): Promise<OutputReaders> {
  const pairs = (await fifoPairs(onStdout, onStderr)) ?? (await socketPairs(onStdout, onStderr));
  if (!pairs) return { spawn: (command, args) => spawnWithPipes(command, args, onStdout, onStderr) };
  const [out, err] = pairs;
  return {
    spawn(command, args) {
      try {
        // The child stays in the wrapper's process group: a build agent's SIGKILL of the group ends both.
        const child = spawn(command, args, { stdio: ['inherit', out.theirs, err.theirs] });
        // Node's 'close' waits for the pipes it made, not for streams handed to it.
        const read = [out.ours, err.ours].map((socket) => new Promise((done) => socket.once('close', done)));
        const closed = Promise.all([exitOf(child), ...read]).then(([exit]) => exit);
        return { child, stdout: out.ours, stderr: err.ours, closed };
      } finally {
        // The child has its copies (or never started, and 'error' says why): ours would keep the
        // streams open past the child's exit, and no 'end' would come.
        out.closeTheirs();
        err.closeTheirs();
      }
    },
  };
}

/** One output stream: `ours` reads into one reused buffer, `theirs` is the command's end. */
interface StreamPair {
  ours: Socket;
  theirs: Socket | number;
  closeTheirs(): void;
}

/** Two socket pairs, or null when they cannot both be made. */
async function socketPairs(onStdout: OutputHandler, onStderr: OutputHandler): Promise<[StreamPair, StreamPair] | null> {
  const settled = await Promise.allSettled([socketPair(onStdout), socketPair(onStderr)]);
  const [out, err] = settled.map((pair) => (pair.status === 'fulfilled' ? pair.value : null));
  if (out && err) {
    const pair = ({ ours, theirs }: { ours: Socket; theirs: Socket }): StreamPair => ({
      ours,
      theirs,
      closeTheirs: () => void theirs.destroy(),
    });
    return [pair(out), pair(err)];
  }
  // One pair made and not the other (descriptors ran out): the made one, open and unused,
  // would keep the process up after the command ended.
  for (const pair of [out, err]) {
    pair?.ours.destroy();
    pair?.theirs.destroy();
  }
  return null;
}

/**
 * Two named pipes, made in a private directory by `mkfifo` (Node has no call for a pipe), each
 * opened at both ends and then removed: nothing is left behind, and nothing else can open them.
 * Null when they cannot be made (no `mkfifo`, descriptors run out), with nothing left open.
 */
async function fifoPairs(onStdout: OutputHandler, onStderr: OutputHandler): Promise<[StreamPair, StreamPair] | null> {
  if (process.platform === 'win32') return null;
  let dir: string | null = null;
  const held = new HeldFifoEnds();
  try {
    dir = mkdtempSync(join(tmpdir(), 'zen-sessions-'));
    const paths = [join(dir, 'stdout'), join(dir, 'stderr')];
    await mkfifo(paths);
    // Ours first, not waiting for a writer; then the command's, which a reader now lets open at once.
    const ends = paths.map((path) => ({
      read: held.open(path, constants.O_RDONLY | constants.O_NONBLOCK),
      write: held.open(path, constants.O_WRONLY),
    }));
    const pairs = [onStdout, onStderr].map(
      (onChunk, i): StreamPair => ({
        ours: held.reader(ends[i].read, onChunk),
        theirs: ends[i].write,
        closeTheirs: closerOnce(ends[i].write),
      }),
    );
    return pairs as [StreamPair, StreamPair];
  } catch {
    held.close();
    return null;
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** Makes the named pipes at `paths`, readable and writable by this user only. */
function mkfifo(paths: string[]): Promise<void> {
  return new Promise<void>((resolve, reject) =>
    execFile('mkfifo', ['-m', '600', ...paths], { timeout: 5_000 }, (error) => (error ? reject(error) : resolve())),
  );
}

/** Closes `fd` on the first call only. */
function closerOnce(fd: number): () => void {
  let open = true;
  return () => {
    if (open) closeSync(fd);
    open = false;
  };
}

/**
 * The pipes' ends fifoPairs has opened so far: where a later step fails, all of them are closed,
 * so that nothing made for a command that never runs keeps the process up.
 */
class HeldFifoEnds {
  /** Descriptors opened and not yet owned by a reader, which closes its own when destroyed. */
  private readonly opened: number[] = [];
  private readonly readers: Socket[] = [];

  open(path: string, flags: number): number {
    const fd = openSync(path, flags);
    this.opened.push(fd);
    return fd;
  }

  /** A reader of `fd`, which owns it from now on. */
  reader(fd: number, onChunk: OutputHandler): Socket {
    const reader = fifoReader(fd, onChunk);
    this.readers.push(reader);
    this.opened.splice(this.opened.indexOf(fd), 1);
    return reader;
  }

  close(): void {
    // A reader made before the failure reads already: destroyed, it closes its descriptor.
    for (const reader of this.readers) reader.destroy();
    for (const fd of this.opened) {
      try {
        closeSync(fd);
      } catch {
        // Closed already.
      }
    }
  }
}

/** Reads the pipe `fd` into one reused buffer, handing each chunk to `onChunk`. */
function fifoReader(fd: number, onChunk: OutputHandler): Socket {
  return new Socket({
    fd,
    readable: true,
    writable: false,
    onread: reusedBufferReads(onChunk),
  } as ConstructorParameters<typeof Socket>[0]);
}

/** A socket's `onread`: every read into one buffer, each chunk a view of it handed to `onChunk`. */
function reusedBufferReads(onChunk: OutputHandler): { buffer: Buffer; callback: (bytes: number) => boolean } {
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  return {
    buffer,
    callback: (bytes) => {
      onChunk(buffer.subarray(0, bytes));
      return true; // read on (pausing is the holder's: pause() stops a socket's reads)
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
  // Out of descriptors (EMFILE), Node makes no pipes and starts nothing: its 'error' says why (to
  // the caller's listener, added before it comes), and its 'close' follows. No output will come.
  const stdout = child.stdout ?? new PassThrough().destroy();
  const stderr = child.stderr ?? new PassThrough().destroy();
  stdout.on('data', onStdout);
  stderr.on('data', onStderr);
  return { child, stdout, stderr, closed: exitOf(child) };
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
    const path = localSocketPath();
    // Nothing left open on a failure: a listening server keeps the process up.
    const fail = (error: Error) => {
      server.close();
      reject(error);
    };
    server.once('error', fail);
    server.listen(path, () => {
      const ours = createConnection({ path, onread: reusedBufferReads(onChunk) });
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
