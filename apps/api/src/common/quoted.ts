/** Values a client sent are cut to this many characters in messages: it may send 16 KiB of header. */
const QUOTE_MAX = 128;

/** A value the client sent, cut to QUOTE_MAX characters for a message. */
export function clipped(value: string): string {
  return value.slice(0, QUOTE_MAX);
}

/** A value the client sent as a refusal's message names it: JSON-quoted, cut to QUOTE_MAX characters. */
export function quoted(value: string): string {
  return JSON.stringify(clipped(value));
}
