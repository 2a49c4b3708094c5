import { DEFAULT_LIMITS, Limits } from '@zen/contract';
import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { AppConfig, LOG_STORE_KINDS, TrustProxy } from './app-config';

type Env = Record<string, string | undefined>;

/** Raised when the environment holds a value the server cannot start with. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
}

/**
 * Longest delay Node's timers take (2^31 − 1 ms, about 24.8 days): a larger one is cut to
 * 1 ms with only a warning, so a period or timeout beyond it would fire at once, over and over.
 */
const TIMER_MAX_MS = 2_147_483_647;

/**
 * Shortest WebSocket ping period: a client must answer within one period, and a pong needs a
 * round trip and a turn of the client's event loop; 1 ms would close every client at once.
 */
const PING_MIN_MS = 100;

/** Limit variables: environment name → field of `Limits`. */
const LIMIT_VARIABLES = {
  MAX_BODY_BYTES: 'maxBodyBytes',
  MAX_APPNAME_CHARS: 'appnameMaxChars',
  MAX_MODE_CHARS: 'modeMaxChars',
  MAX_JOBID_CHARS: 'jobidMaxChars',
  MAX_METADATA_KEYS: 'metadataMaxKeys',
  MAX_METADATA_KEY_CHARS: 'metadataKeyMaxChars',
  MAX_METADATA_BYTES: 'metadataMaxBytes',
  MAX_MESSAGE_BYTES: 'messageMaxBytes',
  MAX_DATA_BYTES: 'dataMaxBytes',
  MAX_BATCH_ENTRIES: 'batchMaxEntries',
  MAX_READ_LIMIT: 'readMaxLimit',
} as const satisfies Record<string, keyof Limits>;
type LimitVariable = keyof typeof LIMIT_VARIABLES;

/**
 * Every environment variable the server reads, in the order it reads them: `readSettings` reads
 * no other (its reader takes a `Setting`), and `misspelledSettings` knows them from here (no
 * config built for it).
 */
export const SETTINGS = [
  ...(Object.keys(LIMIT_VARIABLES) as LimitVariable[]),
  'PORT',
  'HOST',
  'BASE_PATH',
  'LOG_CAPACITY',
  'LOG_MEMORY_BYTES',
  'LOG_MEMORY_FLOOR_ENTRIES',
  'SESSIONS_RETAIN_ENDED',
  'SESSIONS_WS_INTERVAL_MS',
  'SESSIONS_WS_DELTA_MS',
  'SESSIONS_TIMEOUT_S',
  'MAX_SESSIONS',
  'MAX_CONNECTIONS',
  'MAX_APPEND_ENTRIES_PER_S',
  'MAX_CLIENT_APPEND_ENTRIES_PER_S',
  'MAX_RATE_LIMIT_BUCKETS',
  'MAX_HELD_SERVER_LOG_MESSAGES',
  'MAX_CLIENT_UNSENT_RESPONSE_BYTES',
  'MAX_UNSENT_RESPONSE_BYTES',
  'MAX_INCOMING_BODY_BYTES',
  'WS_MAX_PAYLOAD_BYTES',
  'WS_MAX_BUFFERED_BYTES',
  'WS_MAX_TOTAL_BUFFERED_BYTES',
  'WS_MAX_MESSAGES_IN_FLIGHT',
  'WS_LOG_CHUNK',
  'WS_MAX_SUBSCRIPTIONS',
  'WS_MAX_PROTOCOL_WARNINGS_PER_MIN',
  'WS_PING_INTERVAL_MS',
  'TRUST_PROXY',
  'AUTH_TOKEN',
  'AUTH_READ_TOKEN',
  'ALLOWED_HOSTS',
  'CORS_ORIGINS',
  'SHUTDOWN_TIMEOUT_MS',
  'DASHBOARD_DIR',
  'LOG_STORE',
  'REDIS_URL',
  'REDIS_KEY_PREFIX',
  'REDIS_TIMEOUT_MS',
  'REDIS_LARGE_READS',
  'REDIS_LARGE_READ_WAIT_MS',
] as const;
type Setting = (typeof SETTINGS)[number];

/**
 * Reads and validates every setting. Collects all problems before failing, so one
 * start-up names every bad variable at once.
 */
export function loadConfig(env: Env = process.env): AppConfig {
  const { config, problems } = readSettings(env);
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * A line for each variable of `env` that looks like a setting misspelt (`SESSION_TIMEOUT_S`,
 * `log_capacity`): in another case, or within two letters of a setting of 8 characters or more
 * (so `HOME`, `HOSTNAME` or `PWD` never read as `HOST` or `PORT`). The environment is shared
 * with everything else, so no other name can be told apart from another program's; and a
 * misspelt setting is ignored, its default in force, which the server says rather than stop.
 */
export function misspelledSettings(env: Env = process.env): string[] {
  const settings: readonly string[] = SETTINGS;
  const lines: string[] = [];
  for (const name of Object.keys(env)) {
    if (settings.includes(name) || !/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) continue;
    const upper = name.toUpperCase();
    const meant = settings.find(
      (setting) => setting === upper || (setting.length >= 8 && editDistance(setting, upper) <= 2),
    );
    if (meant) lines.push(`${name} is not a setting (${meant} is): it is ignored`);
  }
  return lines;
}

/** Levenshtein distance with adjacent transpositions (`LOG_CAPCAITY` is 1 from `LOG_CAPACITY`). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      rows[i][j] = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        rows[i][j] = Math.min(rows[i][j], rows[i - 2][j - 2] + 1);
      }
    }
  }
  return rows[a.length][b.length];
}

/**
 * Every setting read from `env`, and the problems found. Read room by room, in the order of
 * SETTINGS: the problems are listed in that order, one start-up naming every bad variable.
 */
function readSettings(env: Env): { config: AppConfig; problems: string[] } {
  const problems: string[] = [];
  const reader = new EnvReader(env, problems);
  const defaults = new AppConfig();
  const limits = readLimits(reader);
  const config = new AppConfig({
    ...readListening(reader, defaults),
    ...readMemoryStore(reader, defaults),
    ...readSessions(reader, defaults),
    ...readLoadBounds(reader, defaults),
    limits,
    ...readWebSocket(reader, defaults),
    ...readAccess(reader),
    shutdownTimeoutMs: reader.int('SHUTDOWN_TIMEOUT_MS', defaults.shutdownTimeoutMs, 0, TIMER_MAX_MS),
    dashboardDir: reader.dashboardDir('DASHBOARD_DIR', defaults.dashboardDir),
    ...readStore(reader, defaults),
  });
  return { config, problems };
}

/** The contract's limits on what a request may hold (`MAX_BODY_BYTES`, …, `MAX_READ_LIMIT`). */
function readLimits(reader: EnvReader): Limits {
  const limits = { ...DEFAULT_LIMITS } as Limits;
  for (const [name, field] of Object.entries(LIMIT_VARIABLES) as [LimitVariable, keyof Limits][]) {
    limits[field] = reader.int(name, DEFAULT_LIMITS[field], 1);
  }
  return limits;
}

/** Where the server listens, and under which path. */
function readListening(reader: EnvReader, defaults: AppConfig): Partial<AppConfig> {
  return {
    port: reader.int('PORT', defaults.port, 0, 65535),
    host: reader.host('HOST', defaults.host),
    basePath: reader.basePath('BASE_PATH'),
  };
}

/** What the memory store holds: each log's entries, all logs' bytes, the ended sessions kept. */
function readMemoryStore(reader: EnvReader, defaults: AppConfig): Partial<AppConfig> {
  return {
    logCapacity: reader.int('LOG_CAPACITY', defaults.logCapacity, 1, 10_000_000),
    logMemoryBytes: reader.int('LOG_MEMORY_BYTES', defaults.logMemoryBytes, 1024 * 1024),
    logMemoryFloorEntries: reader.int('LOG_MEMORY_FLOOR_ENTRIES', defaults.logMemoryFloorEntries, 0),
    retainEnded: reader.int('SESSIONS_RETAIN_ENDED', defaults.retainEnded, 0),
  };
}

/** The sessions feed's pace, a silent session's expiry, and how many sessions may be active. */
function readSessions(reader: EnvReader, defaults: AppConfig): Partial<AppConfig> {
  return {
    wsIntervalMs: reader.int('SESSIONS_WS_INTERVAL_MS', defaults.wsIntervalMs, 10, TIMER_MAX_MS),
    wsDeltaMs: reader.int('SESSIONS_WS_DELTA_MS', defaults.wsDeltaMs, 10, 60_000),
    sessionTimeoutS: reader.int('SESSIONS_TIMEOUT_S', defaults.sessionTimeoutS, 0),
    maxSessions: reader.int('MAX_SESSIONS', defaults.maxSessions, 1),
  };
}

/** What clients may take of the server: connections, append rates, held messages, buffered bytes. */
function readLoadBounds(reader: EnvReader, defaults: AppConfig): Partial<AppConfig> {
  return {
    maxConnections: reader.int('MAX_CONNECTIONS', defaults.maxConnections, 1),
    maxAppendEntriesPerS: reader.int('MAX_APPEND_ENTRIES_PER_S', defaults.maxAppendEntriesPerS, 0),
    maxClientAppendEntriesPerS: reader.int('MAX_CLIENT_APPEND_ENTRIES_PER_S', defaults.maxClientAppendEntriesPerS, 0),
    maxRateLimitBuckets: reader.int('MAX_RATE_LIMIT_BUCKETS', defaults.maxRateLimitBuckets, 1),
    maxHeldServerLogMessages: reader.int('MAX_HELD_SERVER_LOG_MESSAGES', defaults.maxHeldServerLogMessages, 1),
    maxClientUnsentResponseBytes: reader.int(
      'MAX_CLIENT_UNSENT_RESPONSE_BYTES',
      defaults.maxClientUnsentResponseBytes,
      1024,
    ),
    maxUnsentResponseBytes: reader.int('MAX_UNSENT_RESPONSE_BYTES', defaults.maxUnsentResponseBytes, 1024),
    maxIncomingBodyBytes: reader.int('MAX_INCOMING_BODY_BYTES', defaults.maxIncomingBodyBytes, 1024),
  };
}

/** The WebSocket's bounds: message size, buffers, messages in flight, chunks, subscriptions, pings. */
function readWebSocket(reader: EnvReader, defaults: AppConfig): Partial<AppConfig> {
  return {
    wsMaxPayloadBytes: reader.int('WS_MAX_PAYLOAD_BYTES', defaults.wsMaxPayloadBytes, 1024),
    wsMaxBufferedBytes: reader.int('WS_MAX_BUFFERED_BYTES', defaults.wsMaxBufferedBytes, 1024),
    wsMaxTotalBufferedBytes: reader.int('WS_MAX_TOTAL_BUFFERED_BYTES', defaults.wsMaxTotalBufferedBytes, 1024),
    wsMaxMessagesInFlight: reader.int('WS_MAX_MESSAGES_IN_FLIGHT', defaults.wsMaxMessagesInFlight, 1, 100_000),
    wsLogChunk: reader.int('WS_LOG_CHUNK', defaults.wsLogChunk, 1, 10_000),
    wsMaxSubscriptions: reader.int('WS_MAX_SUBSCRIPTIONS', defaults.wsMaxSubscriptions, 1),
    wsMaxProtocolWarningsPerMin: reader.int(
      'WS_MAX_PROTOCOL_WARNINGS_PER_MIN',
      defaults.wsMaxProtocolWarningsPerMin,
      0,
    ),
    wsPingIntervalMs: reader.intOrOff('WS_PING_INTERVAL_MS', defaults.wsPingIntervalMs, PING_MIN_MS, TIMER_MAX_MS),
  };
}

/** Who may call: the proxies trusted, the tokens, the host names and the browser origins taken. */
function readAccess(reader: EnvReader): Partial<AppConfig> {
  return {
    trustProxy: reader.trustProxy('TRUST_PROXY'),
    authToken: reader.token('AUTH_TOKEN'),
    authReadToken: reader.token('AUTH_READ_TOKEN'),
    allowedHosts: reader.hostNames('ALLOWED_HOSTS'),
    corsOrigins: reader.origins('CORS_ORIGINS'),
  };
}

/** Which store holds sessions and logs, and how Redis is reached and waited for. */
function readStore(reader: EnvReader, defaults: AppConfig): Partial<AppConfig> {
  return {
    logStore: reader.choice('LOG_STORE', LOG_STORE_KINDS, defaults.logStore),
    redisUrl: reader.redisUrl('REDIS_URL', defaults.redisUrl),
    redisKeyPrefix: reader.keyPrefix('REDIS_KEY_PREFIX', defaults.redisKeyPrefix),
    redisTimeoutMs: reader.int('REDIS_TIMEOUT_MS', defaults.redisTimeoutMs, 1, 600_000),
    redisLargeReads: reader.int('REDIS_LARGE_READS', defaults.redisLargeReads, 1, 1000),
    redisLargeReadWaitMs: reader.int('REDIS_LARGE_READ_WAIT_MS', defaults.redisLargeReadWaitMs, 0, 600_000),
  };
}

const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  int(name: Setting, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(value >= min && value <= max)) {
      // Beyond 2^53 − 1 the number is not held exactly: say so rather than repeat a floor it passes.
      const unbounded = max === Number.MAX_SAFE_INTEGER;
      const range = !unbounded ? `${min}–${max}` : value > max ? `>= ${min}, at most ${max}` : `>= ${min}`;
      return this.fail(name, `an integer ${range}`, fallback, raw);
    }
    return value;
  }

  /** 0 (off), or an integer from `min` to `max`. */
  intOrOff(name: Setting, fallback: number, min: number, max: number): number {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (value === 0 || (value >= min && value <= max)) return value;
    return this.fail(name, `0 (off) or an integer ${min}–${max}`, fallback, raw);
  }

  choice<T extends string>(name: Setting, choices: readonly T[], fallback: T): T {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!(choices as readonly string[]).includes(raw))
      return this.fail(name, `one of ${choices.join(', ')}`, fallback, raw);
    return raw as T;
  }

  /**
   * A redis:// or rediss:// URL, with a database number as its path if any and user and
   * password that decode (the Redis client throws at start-up on either, naming no
   * variable); shown in the problem without its password.
   */
  redisUrl(name: Setting, fallback: string): string {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    let url: URL | undefined;
    try {
      url = new URL(raw);
      decodeURIComponent(url.username);
      decodeURIComponent(url.password);
    } catch {
      url = undefined;
    }
    if (!url || !['redis:', 'rediss:'].includes(url.protocol) || !url.hostname || !/^\/?\d*$/.test(url.pathname)) {
      return this.fail(
        name,
        "a URL such as 'redis://127.0.0.1:6379' or 'rediss://user:password@host:6380'",
        fallback,
        withoutPassword(raw),
      );
    }
    // The Redis client reads neither: `?db=2` (other clients' way) would use database 0 unsaid,
    // and two services meant to be apart would share one.
    if (url.search !== '' || url.hash !== '') {
      return this.fail(
        name,
        "a URL without a query or fragment, which the Redis client ignores (a database is the path: 'redis://host:6379/2')",
        fallback,
        withoutPassword(raw),
      );
    }
    return raw;
  }

  /** Any text without braces (they would break the keys' cluster hash tags). */
  keyPrefix(name: Setting, fallback: string): string {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (/[{}\s]/.test(value))
      return this.fail(name, "a prefix without braces or spaces, such as 'zen:'", fallback, value);
    return value;
  }

  /**
   * A directory holding a built dashboard. Only a directory given explicitly is checked: the
   * default one is missing under `nx serve api` before the dashboard is built, and
   * DashboardFiles serves a placeholder page then.
   */
  dashboardDir(name: Setting, fallback: string): string {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (!isFile(join(raw, 'index.html'))) {
      return this.fail(name, 'a directory holding the built dashboard (its index.html)', fallback, raw);
    }
    return raw;
  }

  /** An IP address or a host name (RFC 1123 labels); whether it resolves is for listen() to say. */
  host(name: Setting, fallback: string): string {
    const raw = this.raw(name);
    if (raw === undefined) return fallback;
    if (isIP(raw) === 0 && !HOST_NAME.test(raw)) {
      return this.fail(
        name,
        "an IP address or a host name (e.g. '127.0.0.1', '0.0.0.0', '::', 'localhost')",
        fallback,
        raw,
      );
    }
    return raw;
  }

  basePath(name: Setting): string {
    const raw = this.raw(name);
    if (raw === undefined) return '';
    const path = raw.replace(/\/+$/, '');
    // A '.' or '..' segment is resolved away by every client before it sends the URL, so
    // nothing under such a prefix could be reached.
    if (path !== '' && (!/^(\/[A-Za-z0-9._~-]+)+$/.test(path) || /\/\.\.?(?=\/|$)/.test(path))) {
      return this.fail(
        name,
        "a path such as '/zen' (segments of letters, digits, '.', '_', '~', '-', but not '.' or '..')",
        '',
        raw,
      );
    }
    return path;
  }

  /**
   * Express's `trust proxy`: true/false, a hop count, or a comma-separated list of what
   * proxy-addr compiles (its names, addresses, CIDR subnets, IPv4 netmasks). Checked here:
   * Express would otherwise throw a bare "invalid IP address" at start-up, naming nothing.
   */
  trustProxy(name: Setting): TrustProxy {
    const raw = this.raw(name);
    if (raw === undefined || raw === 'false') return false;
    if (raw === 'true') return true;
    if (/^\d+$/.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw);
    if (/^\d+$/.test(raw) || !raw.split(',').every((item) => isProxyAddress(item.trim()))) {
      return this.fail(
        name,
        "true, false, a hop count, or addresses and subnets such as 'loopback' or '10.0.0.0/8, 192.168.0.1'",
        false,
        raw,
      );
    }
    return raw;
  }

  /** `*`, or host names as a `Host` header gives them, without a port: anything else would never match. */
  hostNames(name: Setting): string[] {
    const names = this.list(name);
    const bad = names.filter((item) => item !== '*' && !HOST_NAME.test(item) && isIP(item) === 0);
    if (names.length === 0 && this.raw(name) !== undefined) bad.push(this.raw(name) as string);
    if (bad.length > 0) {
      return this.fail(
        name,
        "'*' or comma-separated host names such as 'tools.studio.example' (no scheme or port)",
        [],
        bad.join(','),
      );
    }
    return names;
  }

  /** `*`, or origins (`scheme://host[:port]`, as browsers send them): anything else would never match. */
  origins(name: Setting): string[] {
    const origins = this.list(name);
    const bad = origins.filter((origin) => origin !== '*' && !isOrigin(origin));
    // Set to commas alone (a template's empty list): CORS wanted but none named, not CORS off.
    if (origins.length === 0 && this.raw(name) !== undefined) bad.push(this.raw(name) as string);
    if (bad.length > 0) {
      return this.fail(name, "'*' or comma-separated origins such as 'https://tools.example:8443'", [], bad.join(','));
    }
    return origins;
  }

  /**
   * A bearer token every client can send in `Authorization` byte for byte: at least 8 visible
   * ASCII characters. A space or control character splits or ends the header; a character
   * beyond U+007E is sent as UTF-8 by curl but read as latin-1 by Node (never matching), and
   * one beyond U+00FF is refused by fetch outright. Named by code point, never echoed.
   */
  token(name: Setting): string | null {
    const raw = this.raw(name);
    // White space alone is not the empty value that leaves authentication off: a blank by mistake
    // (an env file's `AUTH_TOKEN=  `) must not open the server.
    if (raw === undefined && /^\s+$/.test(this.env[name] ?? '')) {
      return this.fail(
        name,
        'at least 8 visible ASCII characters, without spaces or control characters; it is only white space (leave it empty or out for no token)',
        null,
      );
    }
    if (raw === undefined) return null;
    const bad = /[^\x21-\x7e]/u.exec(raw);
    if (raw.length >= 8 && !bad) return raw;
    const held = bad ? `; it holds ${codePoint(bad[0])} (character ${[...raw.slice(0, bad.index)].length + 1})` : '';
    return this.fail(name, `at least 8 visible ASCII characters, without spaces or control characters${held}`, null);
  }

  list(name: Setting): string[] {
    return (this.raw(name) ?? '')
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
  }

  /** The variable's value, or undefined when unset or empty. */
  private raw(name: Setting): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  /** Records a problem; `raw` is shown unless it may be a secret. */
  private fail<T>(name: Setting, expected: string, fallback: T, raw?: string): T {
    const got = raw === undefined ? '' : ` (got ${JSON.stringify(raw)})`;
    this.problems.push(`${name} must be ${expected}${got}`);
    return fallback;
  }
}

/** Whether `path` is a regular file this process can see (not when a parent is missing, a file, or unreadable). */
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A URL as given, its password hidden: from the first ':' after the scheme's '//' (or the start)
 * to the last '@'. Not as the URL parser reads it: a value it refuses may hold a password pasted
 * as it is (with ':', '/' or '@'), and one without a scheme parses with the password in its path.
 */
function withoutPassword(raw: string): string {
  const rest = raw.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\//, '');
  const scheme = raw.slice(0, raw.length - rest.length);
  const colon = rest.indexOf(':');
  const at = rest.lastIndexOf('@');
  return colon >= 0 && colon < at ? `${scheme}${rest.slice(0, colon)}:***${rest.slice(at)}` : raw;
}

/** `U+20AC` for '€'. */
function codePoint(char: string): string {
  return `U+${(char.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** proxy-addr's names for address ranges. */
const PROXY_RANGES = ['loopback', 'linklocal', 'uniquelocal'];

/** What proxy-addr compiles: a range name, an IP address, or an address with a CIDR prefix or (IPv4) netmask. */
function isProxyAddress(item: string): boolean {
  if (PROXY_RANGES.includes(item)) return true;
  const [address, range, extra] = item.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4 && isContiguousMask(range);
}

/** An IPv4 netmask proxy-addr takes: ones, then zeros (255.255.0.0, not 255.0.255.0). */
function isContiguousMask(mask: string): boolean {
  const bits = mask.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
  const hostBits = 0xffffffff - bits;
  return (hostBits & (hostBits + 1)) === 0;
}

/** An origin exactly as a browser's Origin header writes it. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}
