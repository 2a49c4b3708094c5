import type { PreparedRequest } from '../rest/http';
import { sendAtExit } from './last-chance';

/** How many times the emptied event loop gives a logger another try before the process may exit. */
const ATTEMPTS_AT_EXIT = 3;

interface ProcessLike {
  on(event: 'beforeExit' | 'exit', listener: () => void): void;
  off(event: 'beforeExit' | 'exit', listener: () => void): void;
}

/** What a logger does as its process exits. */
export interface ExitWork {
  /** Whether anything is left to send. */
  pending(): boolean;
  /** Starts sending it (the event loop emptied: requests keep the process alive). */
  flush(): void;
  /** What is left, as requests to send from the 'exit' event (see `sendAtExit`); none when the server is away. */
  lastRequests(): PreparedRequest[];
  /** The longest the process waits for those (ms; 0: it does not). */
  lastChanceMs: number;
}

/**
 * The hooks of every logger of the process, behind one listener of each event: a listener each made
 * Node warn of a leak (`MaxListenersExceededWarning`) once 11 loggers were open at once.
 */
const hooks = new Set<ExitHook>();
const beforeExit = () => {
  for (const hook of [...hooks]) hook.beforeExit();
};
/** Every logger's last requests go out through one child process, within the longest wait any of them allows. */
const exit = () => {
  // Never throws: the process's other 'exit' listeners must still run.
  const requests = [...hooks].flatMap((hook) => {
    try {
      return hook.lastRequests();
    } catch {
      return [];
    }
  });
  sendAtExit(requests, Math.max(0, ...[...hooks].map((hook) => hook.lastChanceMs)));
};

/**
 * Node's 'beforeExit' (the event loop emptied, the process is about to exit normally) while
 * `pending()`: calls `flush`, which starts requests that keep the process alive. A few times at
 * most, then the process may go: a server that is away must not keep it alive for ever.
 * Node's 'exit' (`process.exit()`, an uncaught exception: nothing asynchronous runs any more):
 * what is left goes out through `sendAtExit`. Nothing in a browser.
 */
export class ExitHook {
  private attempts = 0;
  private readonly proc = nodeProcess();

  constructor(private readonly work: ExitWork) {
    if (!this.proc) return;
    if (hooks.size === 0) {
      this.proc.on('beforeExit', beforeExit);
      this.proc.on('exit', exit);
    }
    hooks.add(this);
  }

  get lastChanceMs(): number {
    return this.work.lastChanceMs;
  }

  beforeExit(): void {
    if (!this.work.pending() || this.attempts >= ATTEMPTS_AT_EXIT) return;
    this.attempts++;
    this.work.flush();
  }

  lastRequests(): PreparedRequest[] {
    return this.work.lastChanceMs > 0 ? this.work.lastRequests() : [];
  }

  remove(): void {
    if (!this.proc || !hooks.delete(this)) return;
    if (hooks.size === 0) {
      this.proc.off('beforeExit', beforeExit);
      this.proc.off('exit', exit);
    }
  }
}

function nodeProcess(): ProcessLike | null {
  const proc = (globalThis as { process?: Partial<ProcessLike> }).process;
  return proc && typeof proc.on === 'function' && typeof proc.off === 'function' ? (proc as ProcessLike) : null;
}
