/**
 * `work`'s result, or `otherwise` when it has not settled within `ms`; the timer is cleared
 * either way, so a wait that ends early keeps nothing pending. For the waits that must not last
 * longer than a healthy store takes (a start, a shutdown, a probe): `work` goes on regardless.
 */
export async function settledWithin<T, F>(work: Promise<T>, ms: number, otherwise: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<F>((done) => (timer = setTimeout(done, ms, otherwise)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
