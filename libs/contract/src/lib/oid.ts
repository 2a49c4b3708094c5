/** A session id is an OID: 24 hexadecimal characters. */
export const OID_PATTERN = /^[0-9a-fA-F]{24}$/;

/** Returns the normalised (lower-case) id, or null when `value` is not an OID. */
export function parseOid(value: string): string | null {
  return OID_PATTERN.test(value) ? value.toLowerCase() : null;
}
