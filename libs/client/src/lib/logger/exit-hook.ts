/** How many times the emptied event loop gives a logger another try before the process may exit. */
const ATTEMPTS_AT_EXIT = 3;

interface ProcessLike {
  on(event: 'beforeExit', listener: () => void): void;
  off(event: 'beforeExit', listener: () => void): void;
}

/**
 * The hooks of every logger of the process, behind one 'beforeExit' listener: a listener each made
 * Node warn of a leak (`MaxListenersExceededWarning`) once 11 loggers were open at once.
 */
const hooks = new Set<ExitHook>();
const beforeExit = () => {
  for (const hook of [...hooks]) hook.beforeExit();
};

/**
 * Node's 'beforeExit' (the event loop emptied, the process is about to exit normally) while
 * `pending()`: calls `flush`, which starts requests that keep the process alive. A few times at
 * most, then the process may go: a server that is away must not keep it alive for ever.
 * Nothing in a browser.
 */
export class ExitHook {
  private attempts = 0;
  private readonly proc = nodeProcess();

  constructor(
    private readonly pending: () => boolean,
    private readonly flush: () => void,
  ) {
    if (!this.proc) return;
    if (hooks.size === 0) this.proc.on('beforeExit', beforeExit);
    hooks.add(this);
  }

  beforeExit(): void {
    if (!this.pending() || this.attempts >= ATTEMPTS_AT_EXIT) return;
    this.attempts++;
    this.flush();
  }

  remove(): void {
    if (!this.proc || !hooks.delete(this)) return;
    if (hooks.size === 0) this.proc.off('beforeExit', beforeExit);
  }
}

function nodeProcess(): ProcessLike | null {
  const proc = (globalThis as { process?: Partial<ProcessLike> }).process;
  return proc && typeof proc.on === 'function' && typeof proc.off === 'function' ? (proc as ProcessLike) : null;
}
