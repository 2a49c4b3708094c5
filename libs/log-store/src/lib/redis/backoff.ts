/**
 * The wait before retry number `attempt` (0 for the first): `firstMs`, doubling each time up
 * to `maxMs`. Quick after a short fault, and no busier than one try per `maxMs` during a long one.
 */
export function doublingBackoff(attempt: number, firstMs: number, maxMs: number): number {
  return Math.min(firstMs * 2 ** attempt, maxMs);
}
