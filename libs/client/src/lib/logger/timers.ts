/** Lets the process exit while `timer` waits (Node's timers have `unref()`; a browser's are numbers). */
export function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}

/** Keeps the process alive while `timer` waits again. */
export function ref(timer: unknown): void {
  (timer as { ref?: () => void }).ref?.();
}
