/** Values a client sent are cut to this many characters in messages: it may send 16 KiB of header. */
const QUOTE_MAX = 128;

/** A value the client sent, cut to QUOTE_MAX characters for a message. */
export function clipped(value: string): string {
  return value.slice(0, QUOTE_MAX);
}

/** The same, with `…` where it was cut: for a value the message shows bare (a path, a request target). */
export function clippedMarked(value: string): string {
  return value.length > QUOTE_MAX ? `${clipped(value)}…` : value;
}

/** A value the client sent as a refusal's message names it: JSON-quoted, cut to QUOTE_MAX characters. */
export function quoted(value: string): string {
  return JSON.stringify(clipped(value));
}

/** JSON-quoted, cut to `max` characters, with `…` after the quotes where it was cut. */
export function quotedMarked(value: string, max: number): string {
  return value.length > max ? `${JSON.stringify(value.slice(0, max))}…` : JSON.stringify(value);
}
