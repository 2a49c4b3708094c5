/** C0 controls, DEL and C1 controls (`\u009b` is a terminal's CSI, as ESC `[` is). */
// eslint-disable-next-line no-control-regex -- control characters are what this looks for
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * `text` with its control characters written as `\uXXXX`, for a line that quotes what a client
 * sent (a refusal's message, the server's log of a session's name): whoever prints it — a CLI,
 * the server's console — must not be driven by an ESC or a CSI from a client.
 */
export function printable(text: string): string {
  return text.replace(CONTROLS, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A client's string as the server's log lines name it: JSON-quoted, with no control character. */
export function quotedForLog(text: string): string {
  return printable(JSON.stringify(text));
}
