/**
 * Reads that may be large (every held entry, or more than LARGE_READ_ENTRIES of them): a read
 * of up to this many entries (an offset page, a WebSocket follow's chunk at the default
 * WS_LOG_CHUNK) is sent at once; one of 1,000 entries of 1 KB costs Redis ~1/10 of a 10,000 one.
 */
export const LARGE_READ_ENTRIES = 1000;

/** Whether a read of `count` entries ('all': no limit) takes its turn in a ReadBulkhead. */
export function isLargeRead(count: string): boolean {
  return count === 'all' || Number(count) > LARGE_READ_ENTRIES;
}

/** Thrown to a read that waited `maxWaitMs` for its turn; nothing was sent for it. */
export class ReadTurnTimeout extends Error {}

interface Waiter {
  start(): void;
  timer: NodeJS.Timeout;
}

/**
 * Large reads through one Redis connection take turns: at most `size` are sent at once, the
 * others wait in order of arrival, for at most `maxWaitMs` each.
 *
 * Why: a replica sends Redis every command over one connection, pipelined, and Redis computes
 * the replies to all it read in one go before writing the first. Twenty downloads at once of a
 * log of 10,000 entries of 1 KB were ~3.4 s of work for Redis in one go: each of them, and every
 * command sent behind them (an append, the readiness check), waited past REDIS_TIMEOUT_MS, the
 * connection was held stalled and the replica answered 503 to everyone. Taking turns, a command
 * queues behind at most `size` large reads, and a burst of downloads is served one after another.
 *
 * A read waiting for its turn has sent nothing, so its wait is not Redis being slow and does
 * not count toward REDIS_TIMEOUT_MS (which times its command once sent); it is bounded by
 * `maxWaitMs` instead, after which it is refused with ReadTurnTimeout. What bounds the number
 * waiting is what bounds the reads in progress: one per HTTP request (MAX_CONNECTIONS) and
 * WS_MAX_MESSAGES_IN_FLIGHT per WebSocket.
 */
export class ReadBulkhead {
  private running = 0;
  /** In order of arrival (a Set iterates in insertion order); a waiter that gives up leaves it. */
  private readonly waiting = new Set<Waiter>();

  constructor(
    readonly size: number,
    readonly maxWaitMs: number,
  ) {}

  /** Runs `read` once it has a turn, or rejects with ReadTurnTimeout without running it. */
  async run<T>(read: () => Promise<T>): Promise<T> {
    await this.turn();
    try {
      return await read();
    } finally {
      this.release();
    }
  }

  /** Reads running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.size };
  }

  private turn(): Promise<void> {
    if (this.running < this.size) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((start, fail) => {
      const waiter: Waiter = {
        start,
        timer: setTimeout(() => {
          this.waiting.delete(waiter);
          fail(new ReadTurnTimeout(`it waited ${this.maxWaitMs} ms for its turn`));
        }, this.maxWaitMs),
      };
      this.waiting.add(waiter);
    });
  }

  /** Hands the turn to the first waiter, if any (`running` stays as it is), else frees it. */
  private release(): void {
    const [next] = this.waiting;
    if (next === undefined) {
      this.running--;
      return;
    }
    this.waiting.delete(next);
    clearTimeout(next.timer);
    next.start();
  }
}
