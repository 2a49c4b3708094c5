import { HttpException, HttpStatus, Injectable } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { AppConfig } from '../config/app-config';
import { ClientAddresses } from './client-addresses';

/** A refusal that may succeed later: answered with `Retry-After` (whole seconds). */
export class RetryLaterException extends HttpException {
  constructor(
    status: number,
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, status);
  }
}

/**
 * The bodies of large answers (log reads, the sessions listing) are built whole and held by
 * the socket until the client has taken them. A client that asks and never reads kept every
 * such body: ten readers of a 128 MB log that never read grew the server by 1.3 GB, and a
 * log may be 1.3 GB at the default limits, so a few dozen would end the process. Bodies not
 * yet taken are counted here, by client address (ClientAddresses, as the append limits count)
 * and in all, until their response closes (written out, or the connection gone). A body that
 * would take its client past MAX_CLIENT_UNSENT_RESPONSE_BYTES is refused with 429, one that
 * would take the server past MAX_UNSENT_RESPONSE_BYTES with 503, both with `Retry-After`;
 * a body when nothing is held (for the client, or at all) always passes, however large.
 */
@Injectable()
export class UnsentResponses {
  private total = 0;
  private readonly byClient = new Map<string, number>();

  constructor(
    private readonly config: AppConfig,
    private readonly clients: ClientAddresses,
  ) {}

  /** Counts `bytes` for `res` until it closes, or throws RetryLaterException (nothing counted). */
  admit(req: IncomingMessage, res: ServerResponse, bytes: number): void {
    const client = this.clients.of(req);
    const held = this.byClient.get(client) ?? 0;
    const { maxClientUnsentResponseBytes: perClient, maxUnsentResponseBytes: all } = this.config;
    if (held > 0 && held + bytes > perClient) {
      throw new RetryLaterException(
        HttpStatus.TOO_MANY_REQUESTS,
        `this answer (${bytes} bytes) would take the bytes this client has not yet read past MAX_CLIENT_UNSENT_RESPONSE_BYTES (${perClient}; ${held} held): read the answers asked for, then retry`,
        1,
      );
    }
    if (this.total > 0 && this.total + bytes > all) {
      throw new RetryLaterException(
        HttpStatus.SERVICE_UNAVAILABLE,
        `this answer (${bytes} bytes) would take the bytes clients have not yet read past MAX_UNSENT_RESPONSE_BYTES (${all}); retry`,
        1,
      );
    }
    this.total += bytes;
    this.byClient.set(client, held + bytes);
    res.once('close', () => {
      this.total -= bytes;
      const left = (this.byClient.get(client) ?? bytes) - bytes;
      if (left > 0) this.byClient.set(client, left);
      else this.byClient.delete(client);
    });
  }

  /** Bytes held now, in all and for the clients holding any. */
  held(): { total: number; clients: number } {
    return { total: this.total, clients: this.byClient.size };
  }
}
