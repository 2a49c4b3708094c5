/** The `n`th session id of a test: `n` in hexadecimal, padded to an OID's 24 characters. */
export const oid = (n: number): string => n.toString(16).padStart(24, '0');
