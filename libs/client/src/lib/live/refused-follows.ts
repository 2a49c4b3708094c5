import type { Backoff } from '../backoff';
import type { FollowedLog } from './followed-log';

/**
 * Follows the server refused (no such session, or it could not tell), subscribed again together
 * once a backoff has passed: a session created again under the same id is then followed again.
 */
export class RefusedFollows {
  private readonly follows = new Set<FollowedLog>();
  /** Follows subscribed again after a refusal, until the server serves them. */
  private readonly retried = new WeakSet<FollowedLog>();
  private timer: ReturnType<typeof setTimeout> | null = null;

  /** @param again Subscribes a follow again (when it is still followed). */
  constructor(
    private readonly backoff: Backoff,
    private readonly again: (follow: FollowedLog) => void,
  ) {}

  later(follow: FollowedLog): void {
    this.follows.add(follow);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      for (const each of this.follows) {
        this.retried.add(each);
        this.again(each);
      }
      this.follows.clear();
    }, this.backoff.next());
  }

  /**
   * A subscription was served: when it is one that was refused, the server serves again (the store
   * is back), and the next refusal is tried again soon. Not for any other: a session that does not
   * exist would otherwise be asked for again every 250 ms, and its refusal told to onServerError as
   * often, while another followed session's entries come.
   */
  served(follow: FollowedLog): void {
    if (this.retried.delete(follow)) this.backoff.reset();
  }

  /** No more tries until the next refusal (the follows stay, tried again with it). */
  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
