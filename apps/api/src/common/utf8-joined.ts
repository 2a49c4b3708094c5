/**
 * Strings written one after another into one UTF-8 buffer, never joined into one string
 * first. A sessions listing is bounded only by MAX_SESSIONS + SESSIONS_RETAIN_ENDED sessions
 * of up to MAX_METADATA_BYTES each: by default about 730 MB of JSON, more than V8's longest
 * string (2^29 − 24 characters, ~537 million). Joined as a string it threw `RangeError:
 * Invalid string length`, so that `GET /sessions/` answered 500 and no WebSocket client got
 * a `sessions` event, however few sessions it was itself responsible for.
 */
export function utf8Joined(pieces: readonly string[]): Buffer {
  let length = 0;
  for (const piece of pieces) length += Buffer.byteLength(piece, 'utf8');
  const bytes = Buffer.allocUnsafe(length);
  let at = 0;
  for (const piece of pieces) at += bytes.write(piece, at, 'utf8');
  return bytes;
}
