/**
 * A value logged (an entry's `data`, another logger's object message) as JSON, never throwing:
 * a logging call must not crash its caller. What `JSON.stringify` makes of it, undefined when
 * that is nothing (a `toJSON` answering undefined).
 * Only when it throws (a cycle, a BigInt) is it written again, the slow way: a BigInt as its
 * decimal string, a reference back to an object it is inside as "[Circular]"; and when even that
 * throws (a getter or a `toJSON` that throws), as `{"unserializable":"<the error's message>"}`.
 */
export function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return tolerantJson(value);
  }
}

function tolerantJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, cycleAndBigIntReplacer());
  } catch (error) {
    return JSON.stringify({ unserializable: error instanceof Error ? error.message : 'it cannot be written as JSON' });
  }
}

/**
 * Keeps only the objects on the path from the root to the value being written, not every object
 * seen: an object referenced twice side by side (shared, not a cycle) is written both times.
 */
function cycleAndBigIntReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const path: unknown[] = [];
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value !== 'object' || value === null) return value;
    // `this` is the object holding `value`: whatever was entered after it is written already.
    while (path.length > 0 && path[path.length - 1] !== this) path.pop();
    if (path.includes(value)) return '[Circular]';
    path.push(value);
    return value;
  };
}
