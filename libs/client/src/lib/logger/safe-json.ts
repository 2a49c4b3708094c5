/**
 * A value logged (an entry's `data`, another logger's object message) as JSON, never throwing:
 * a logging call must not crash its caller. What `JSON.stringify` makes of it, undefined when
 * that is nothing (a `toJSON` answering undefined). An `Error`, the value or one at any depth in
 * it (in objects and arrays, a `cause` too), is written as pino writes `err`, not as the `{}` JSON
 * makes of it. Only when it throws (a cycle, a BigInt) is it written again, the slow way: a BigInt
 * as its decimal string, a reference back to an object it is inside as "[Circular]"; and when even
 * that throws (a getter or a `toJSON` that throws), as `{"unserializable":"<the error's message>"}`.
 */
export function safeJson(value: unknown): string | undefined {
  try {
    return holdsError(value) ? JSON.stringify(value, errorReplacer) : JSON.stringify(value);
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
 * How deep, and through how many objects, `holdsError` looks before it leaves the search to the
 * replacer (which finds an Error at any depth, at twice the cost): a cycle, or data too deep or
 * too big to tell cheaply, is written with it.
 */
const SCAN_DEPTH = 8;
const SCAN_OBJECTS = 1_000;
/** The objects `holdsError` may still look into (it runs to the end before another starts). */
let scanBudget = 0;

/**
 * Whether `value` is an `Error` or may hold one: JSON writes an Error as `{}`, its message and
 * stack lost. So that the data of most entries is written by `JSON.stringify` alone, twice as fast
 * as with a replacer, it is looked through first: a data of strings and numbers costs a `typeof`
 * per value, and nothing is allocated.
 */
function holdsError(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Error) return true;
  scanBudget = SCAN_OBJECTS;
  return mayHoldError(value, SCAN_DEPTH);
}

/** An Error among the values of `object`, at any depth, or too deep or too many objects to tell. */
function mayHoldError(object: object, depth: number): boolean {
  if (depth === 0) return true;
  if (Array.isArray(object)) {
    for (let i = 0; i < object.length; i++) if (mayBeError(object[i], depth - 1)) return true;
    return false;
  }
  // Bytes hold no Error (and JSON writes a Buffer by its toJSON).
  if (ArrayBuffer.isView(object)) return false;
  for (const key in object) if (mayBeError((object as Record<string, unknown>)[key], depth - 1)) return true;
  return false;
}

function mayBeError(value: unknown, depth: number): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Error || --scanBudget < 0) return true;
  return mayHoldError(value, depth);
}

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? errorObject(value) : value;
}

/** An Error as pino writes its `err`: type, message, stack, and its own fields (a `code`, say) and cause. */
function errorObject(error: Error): Record<string, unknown> {
  const { name, message, stack, cause } = error;
  const own: Record<string, unknown> = { ...error };
  return { type: name, message, stack, ...own, ...(cause === undefined ? {} : { cause }) };
}

/**
 * Keeps only the objects on the path from the root to the value being written, not every object
 * seen: an object referenced twice side by side (shared, not a cycle) is written both times.
 */
function cycleAndBigIntReplacer(): (this: unknown, key: string, value: unknown) => unknown {
  const path: unknown[] = [];
  // One stand-in per Error, so that a cycle through one is seen as the cycle it is.
  const errorsWritten = new Map<Error, unknown>();
  return function (this: unknown, _key: string, value: unknown): unknown {
    if (typeof value === 'bigint') return value.toString();
    if (value instanceof Error) {
      if (!errorsWritten.has(value)) errorsWritten.set(value, errorObject(value));
      value = errorsWritten.get(value);
    }
    if (typeof value !== 'object' || value === null) return value;
    // `this` is the object holding `value`: whatever was entered after it is written already.
    while (path.length > 0 && path[path.length - 1] !== this) path.pop();
    if (path.includes(value)) return '[Circular]';
    path.push(value);
    return value;
  };
}

/**
 * Metadata as the JSON it will be sent as, made now (see `safeJson`): a cycle, a BigInt or an
 * Error in it would otherwise make the request that sends it throw, and the logger stop for good.
 */
export function jsonSafe<T>(value: T): T {
  if (value === undefined || value === null) return value;
  const json = safeJson(value);
  return (json === undefined ? undefined : JSON.parse(json)) as T;
}
