import { UnauthorizedException } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { IncomingMessage, ServerResponse } from 'node:http';

export type Access = 'read' | 'write';

/** What a request needs when no route says otherwise: reads need the read token, the rest the write token. */
export function accessOf(method: string): Access {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? 'read' : 'write';
}

/**
 * The optional bearer tokens: AUTH_TOKEN guards writes, AUTH_READ_TOKEN reads too.
 * A write never needs less than a read, and the write token also opens reads.
 * Tokens are compared in constant time (as SHA-256 digests, so length leaks nothing).
 */
export class AccessTokens {
  private readonly write: Buffer[];
  private readonly read: Buffer[];

  constructor(writeToken: string | null, readToken: string | null) {
    const writeDigest = writeToken === null ? null : digest(writeToken);
    const readDigest = readToken === null ? null : digest(readToken);
    this.write = writeDigest ? [writeDigest] : readDigest ? [readDigest] : [];
    this.read = readDigest ? [readDigest, ...(writeDigest ? [writeDigest] : [])] : [];
  }

  /** Whether `access` needs any token at all. */
  required(access: Access): boolean {
    return (access === 'write' ? this.write : this.read).length > 0;
  }

  allows(access: Access, token: string | undefined): boolean {
    const accepted = access === 'write' ? this.write : this.read;
    if (accepted.length === 0) return true;
    if (!token) return false;
    const given = digest(token);
    // Compare against every accepted token, so timing does not tell which one matched.
    return accepted.map((expected) => timingSafeEqual(expected, given)).includes(true);
  }

  /** Throws 401 (and asks for a bearer token) unless the request may have `access`. */
  check(access: Access, req: IncomingMessage, res: ServerResponse): void {
    // Without tokens (the default) every request passes here: reading the token parses the URL.
    if (!this.required(access)) return;
    const problem = this.problem(access, req, `this ${access}`, 'send "Authorization: Bearer <token>"');
    if (problem === undefined) return;
    res.setHeader('WWW-Authenticate', 'Bearer');
    throw new UnauthorizedException(problem);
  }

  /**
   * Why the request's token (fromRequest) does not give `access` (undefined: it does), for a
   * human: a token left out, a read token on a write and a wrong one are fixed differently, so
   * the message tells them apart.
   */
  problem(access: Access, req: IncomingMessage, subject: string, howToSend: string): string | undefined {
    const token = AccessTokens.fromRequest(req);
    if (this.allows(access, token)) return undefined;
    // Basic credentials, or a token without "Bearer ": not "none", which sends the user looking
    // for a header they did send. The header is not echoed: its first word may be the secret.
    if (!token && AccessTokens.otherScheme(req)) {
      return `${subject} needs a valid token and the Authorization header sent is not "Bearer <token>": ${howToSend}`;
    }
    if (!token) return `${subject} needs a valid token and none was sent: ${howToSend}`;
    // Only a token reads need can be a read token: without AUTH_READ_TOKEN reads take any.
    if (access === 'write' && this.required('read') && this.allows('read', token)) {
      return `${subject} needs a valid token and the one sent may only read: send the write token (AUTH_TOKEN)`;
    }
    return `${subject} needs a valid token and the one sent is not one the server accepts: check it`;
  }

  /** The token of a request: `Authorization: Bearer …`, or `access_token` in the query (downloads, WebSockets). */
  static fromRequest(req: IncomingMessage): string | undefined {
    const header = req.headers.authorization;
    const bearer = header && /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer) return bearer[1];
    const query = new URL(req.url ?? '/', 'http://host').searchParams.get('access_token');
    return query ?? undefined;
  }

  /** Whether the request sent an Authorization header that is not `Bearer <token>` (Basic, a bare token, two words). */
  private static otherScheme(req: IncomingMessage): boolean {
    const header = req.headers.authorization?.trim();
    return !!header && !/^Bearer(\s+\S+)?$/i.test(header);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}
