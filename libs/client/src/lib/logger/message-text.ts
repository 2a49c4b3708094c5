import { safeJson } from './safe-json';

/**
 * A message as text, whatever a caller passed (plain JavaScript, another logger's record): a
 * string as it is, an Error's message, nothing as "", a number, boolean, BigInt or Symbol as
 * `String` writes it, anything else as its JSON (see `safeJson`). Never throws.
 */
export function messageText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  if (value instanceof Error) return value.message;
  if (typeof value !== 'object' && typeof value !== 'function') return String(value);
  return safeJson(value) ?? String(value);
}
