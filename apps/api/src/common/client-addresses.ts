import { Injectable } from '@nestjs/common';
import { IncomingMessage } from 'node:http';

/** Express's compiled `trust proxy`: whether the address `hop` proxies away from us is trusted. */
export type TrustProxyFn = (address: string, hop: number) => boolean;

/**
 * The client a request comes from, as Express's `req.ip` (and so a session's `clientAddress`)
 * names it: the TCP peer, or, through proxies TRUST_PROXY trusts, the address they forwarded.
 * Raw routes have no Express request; without this, the per-client limits counted the proxy,
 * and every client behind it shared one budget.
 */
@Injectable()
export class ClientAddresses {
  private trust: TrustProxyFn = () => false;

  /** Takes Express's own compiled setting (create-app.ts), so that both read an address alike. */
  trustAs(trust: TrustProxyFn): void {
    this.trust = trust;
  }

  of(req: IncomingMessage): string {
    const peer = req.socket.remoteAddress ?? 'unknown';
    // The common case (no proxy trusted) reads no header.
    if (!this.trust(peer, 0)) return peer;
    return forwardedClient(peer, req.headers['x-forwarded-for'], this.trust);
  }
}

/** proxy-addr's walk: from the peer back along X-Forwarded-For, the first address not trusted (else the farthest). */
function forwardedClient(peer: string, header: string | string[] | undefined, trust: TrustProxyFn): string {
  const hops = [header ?? '']
    .flat()
    .join(',')
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '')
    .reverse();
  let address = peer;
  for (let hop = 0; hop < hops.length; hop++) {
    if (hop > 0 && !trust(address, hop)) return address;
    address = hops[hop];
  }
  return address;
}
