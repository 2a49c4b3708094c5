import { IncomingMessage } from 'node:http';
import { quoted } from '../common/quoted';
import { RawError } from '../http/raw-error';
import { asksForWebSocket } from '../http/upgrade-header';

/** The `ws` server's own test of a key: 16 bytes in base64. */
const KEY = /^[+/0-9A-Za-z]{22}==$/;

/**
 * What is wrong with a WebSocket handshake, tested exactly as the `ws` server tests it
 * (so that what it accepts passes here unchanged), or undefined when nothing is. Run
 * before the request reaches `ws`, whose own refusals are text/html.
 */
export function handshakeProblem(req: IncomingMessage): RawError | undefined {
  if (req.method !== 'GET') {
    return {
      status: 405,
      message: `a WebSocket upgrade must be a GET request, not ${quote(req.method ?? '')}`,
      headers: { Allow: 'GET' },
    };
  }
  if (!asksForWebSocket(req)) {
    return { status: 400, message: `the Upgrade header must be "websocket" (got ${quote(req.headers.upgrade)})` };
  }
  const key = req.headers['sec-websocket-key'];
  if (key === undefined) return { status: 400, message: 'missing Sec-WebSocket-Key header' };
  if (!KEY.test(key)) {
    return {
      status: 400,
      message: `invalid Sec-WebSocket-Key header ${quote(key)}: it must be 16 bytes in base64 (24 characters)`,
    };
  }
  const version = req.headers['sec-websocket-version'];
  if (Number(version) !== 13 && Number(version) !== 8) {
    return {
      status: 400,
      message: `${version === undefined ? 'missing' : `unsupported (${quote(version)})`} Sec-WebSocket-Version header: this server speaks versions 13 and 8`,
      headers: { 'Sec-WebSocket-Version': '13, 8' },
    };
  }
  return undefined;
}

function quote(value: string | undefined): string {
  return value === undefined ? 'none' : quoted(value);
}
