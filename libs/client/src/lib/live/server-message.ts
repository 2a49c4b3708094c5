import { ServerMessage, WS_EVENTS } from '@zen/contract';

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;
const isCount = (value: unknown) => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isSession = (value: unknown) =>
  isObject(value) && typeof value['id'] === 'string' && typeof value['created'] === 'string';

/**
 * A frame as the server's message, when it has the contract's shape as far as the client reads it;
 * undefined (ignored) otherwise: not JSON, an event of another shape (a proxy's, another server
 * version's), or one the client does not know. Read as it came, a `null` or a `log` event without
 * its entries threw inside the socket's message handling: `ws` read nothing more from that socket,
 * so every follow and listener on it stalled for good (or the process ended).
 */
export function parseServerMessage(raw: unknown): ServerMessage | undefined {
  let message: unknown;
  try {
    message = JSON.parse(typeof raw === 'string' ? raw : String(raw));
  } catch {
    return undefined;
  }
  if (!isObject(message) || !isObject(message['data'])) return undefined;
  const data = message['data'];
  switch (message['event']) {
    case WS_EVENTS.log:
      return typeof data['id'] === 'string' &&
        isCount(data['cursor']) &&
        isCount(data['dropped']) &&
        Array.isArray(data['entries']) &&
        data['entries'].every((entry) => isObject(entry) && isCount(entry['seq']))
        ? (message as ServerMessage)
        : undefined;
    case WS_EVENTS.sessions:
      return Array.isArray(data['sessions']) &&
        data['sessions'].every(isSession) &&
        typeof data['serverSessionId'] === 'string'
        ? (message as ServerMessage)
        : undefined;
    case WS_EVENTS.sessionsDelta:
      return Array.isArray(data['upserted']) &&
        data['upserted'].every(isSession) &&
        Array.isArray(data['removed']) &&
        data['removed'].every((id) => typeof id === 'string')
        ? (message as ServerMessage)
        : undefined;
    case WS_EVENTS.error:
      return typeof data['message'] === 'string' ? (message as ServerMessage) : undefined;
    default:
      return undefined;
  }
}
