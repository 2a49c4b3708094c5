/** How many times the emptied event loop gives a logger another try before the process may exit. */
const ATTEMPTS_AT_EXIT = 3;

interface ProcessLike {
  on(event: 'beforeExit', listener: () => void): void;
  off(event: 'beforeExit', listener: () => void): void;
}

/**
 * Node's 'beforeExit' (the event loop emptied, the process is about to exit normally) while
 * `pending()`: calls `flush`, which starts requests that keep the process alive. A few times at
 * most, then the process may go: a server that is away must not keep it alive for ever.
 * Nothing in a browser.
 */
export class ExitHook {
  private attempts = 0;
  private readonly proc = nodeProcess();
  private readonly listener = () => {
    if (!this.pending() || this.attempts >= ATTEMPTS_AT_EXIT) return;
    this.attempts++;
    this.flush();
  };

  constructor(
    private readonly pending: () => boolean,
    private readonly flush: () => void,
  ) {
    this.proc?.on('beforeExit', this.listener);
  }

  remove(): void {
    this.proc?.off('beforeExit', this.listener);
  }
}

function nodeProcess(): ProcessLike | null {
  const proc = (globalThis as { process?: Partial<ProcessLike> }).process;
  return proc && typeof proc.on === 'function' && typeof proc.off === 'function' ? (proc as ProcessLike) : null;
}
