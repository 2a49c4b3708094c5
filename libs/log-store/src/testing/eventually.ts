/**
 * Polls until `check` passes (returns without throwing), or rethrows its last failure
 * after `timeoutMs`. Change feeds of shared stores arrive asynchronously; this waits
 * generously instead of assuming a delay.
 */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}
