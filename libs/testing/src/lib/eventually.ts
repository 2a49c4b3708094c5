/**
 * Polls until `check` passes, or fails with its last failure after `timeoutMs`. A check
 * fails by throwing (an `expect`) or by returning `false` (a predicate); anything else
 * passes. What a test observes after an action — a change feed from a shared store, a
 * browser's next frame, a child's output — arrives when the machine gets to it; a test
 * waits for it generously instead of reading once and racing it.
 */
export async function eventually(
  check: () => unknown | Promise<unknown>,
  timeoutMs = 20_000,
  what = 'the condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      if ((await check()) !== false) return;
      failure = new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) throw failure;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
