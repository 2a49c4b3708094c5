/**
 * Polls until `check` passes (returns without throwing), or rethrows its last failure
 * after `timeoutMs`. What a test observes after an action — a change feed from a shared
 * store, a browser's next frame, a child's output — arrives when the machine gets to it;
 * a test waits for it generously instead of reading once and racing it.
 */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}
