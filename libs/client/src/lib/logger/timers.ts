/** Lets the process exit while `timer` waits (Node's timers have `unref()`; a browser's are numbers). */
export function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

/** Keeps the process alive while `timer` waits again. */
export function ref(timer: unknown): void {
  (timer as { ref?: () => void }).ref?.();
}

/** The longest delay a timer takes (2^31 − 1 ms, about 24.8 days): a longer one fires at once, in Node and browsers alike. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * A delay as a timer can wait it: at most `MAX_TIMER_MS`. A server's `Retry-After` of a month (an
 * HTTP date far ahead, a proxy's maintenance window) or a caller's `timeoutMs` of
 * `Number.MAX_SAFE_INTEGER` would otherwise fire after 1 ms, with a `TimeoutOverflowWarning`: a
 * retry at once instead of a long wait, a request timed out as soon as sent.
 */
export function timerMs(ms: number): number {
  return Math.min(ms, MAX_TIMER_MS);
}
