import { isIP } from 'node:net';
import { quoted } from '../common/quoted';
import type { RawError } from './raw-error';

/**
 * The names a request's `Host` may give this server (`ALLOWED_HOSTS`): a guard against DNS
 * rebinding. A site whose name an attacker points at 127.0.0.1 after its page has loaded
 * makes the browser send that page's requests, and its WebSocket, to this server as the
 * page's own origin: neither CORS nor the WebSocket's `Origin` check can tell them apart,
 * only the `Host` they carry (the attacker's name). A server listening on a loopback address
 * (the default, a workstation's) therefore answers only local names unless told others; one
 * listening on a network address answers any name unless `ALLOWED_HOSTS` lists them.
 */
export class AllowedHosts {
  /** The last `Host` allowed, as sent: most requests repeat it, and skip the parse. */
  private lastAllowed: string | undefined;

  private constructor(
    /** Listed names (lower case, no port), beside the local ones; undefined: any name. */
    private readonly names: ReadonlySet<string> | undefined,
  ) {}

  /** As `ALLOWED_HOSTS` and `HOST` set it: `listed` empty means the default for `listenHost`. */
  static of(listed: readonly string[], listenHost: string): AllowedHosts {
    const any = listed.includes('*') || (listed.length === 0 && !isLoopbackHost(listenHost));
    return new AllowedHosts(any ? undefined : new Set(listed.map((name) => name.toLowerCase())));
  }

  /** The 403 of a request whose `Host` names this server as it does not answer, or undefined. */
  problem(host: string | undefined): RawError | undefined {
    // A request without Host (HTTP/1.0) comes from no browser: browsers always send one.
    if (this.names === undefined || host === undefined || host === this.lastAllowed) return undefined;
    const name = nameOf(host);
    if (isLocalName(name) || this.names.has(name)) {
      this.lastAllowed = host;
      return undefined;
    }
    return {
      status: 403,
      message:
        `this server does not answer to the host name ${quoted(name)}: it listens on a loopback address ` +
        `or ALLOWED_HOSTS is set, so it answers IP addresses, localhost and names without a dot` +
        (this.names.size > 0 ? `, and ${[...this.names].join(', ')}` : '') +
        `; add the name to ALLOWED_HOSTS (or '*' for any)`,
    };
  }
}

/** Whether `HOST` is a loopback address (or `localhost`): only this machine reaches the server there. */
export function isLoopbackHost(host: string): boolean {
  const name = host.toLowerCase();
  return name === 'localhost' || name === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(name);
}

/** The name a Host header gives, lower case, without its port (an IPv6 literal keeps its brackets). */
function nameOf(host: string): string {
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d*$/, '');
  // A fully qualified name may end with a dot (`localhost.`): the same name.
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * A name no rebinding can use: an IP address (a page there is this server's own origin),
 * `localhost` and its subdomains (browsers resolve them to loopback themselves), and a name
 * without a dot (an intranet or proxy upstream name, resolved by this network, not by an
 * attacker's DNS).
 */
function isLocalName(name: string): boolean {
  if (name.startsWith('[')) return isIP(name.slice(1, -1)) === 6;
  return isIP(name) !== 0 || !name.includes('.') || name === 'localhost' || name.endsWith('.localhost');
}
