import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, misspelledSettings } from './load-config';

/** A directory holding a built dashboard's page, as DASHBOARD_DIR wants. */
const BUILT_DASHBOARD = mkdtempSync(join(tmpdir(), 'zen-dashboard-'));
writeFileSync(join(BUILT_DASHBOARD, 'index.html'), '<!doctype html>');
const EMPTY_DIR = mkdtempSync(join(tmpdir(), 'zen-empty-'));
afterAll(() => {
  rmSync(BUILT_DASHBOARD, { recursive: true, force: true });
  rmSync(EMPTY_DIR, { recursive: true, force: true });
});

describe('loadConfig', () => {
  it('uses the contract defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 8558,
      host: '127.0.0.1',
      basePath: '',
      logCapacity: 10_000,
      retainEnded: 1000,
      wsIntervalMs: 1000,
      wsDeltaMs: 100,
      sessionTimeoutS: 0,
      trustProxy: false,
    });
    expect(config.limits.maxBodyBytes).toBe(1024 * 1024);
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '0.0.0.0',
      BASE_PATH: '/zen/',
      LOG_CAPACITY: '50',
      SESSIONS_RETAIN_ENDED: '0',
      SESSIONS_WS_INTERVAL_MS: '250',
      SESSIONS_WS_DELTA_MS: '40',
      SESSIONS_TIMEOUT_S: '30',
      MAX_BODY_BYTES: '2048',
      MAX_MESSAGE_BYTES: '100',
      TRUST_PROXY: 'loopback',
    });
    expect(config).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      basePath: '/zen',
      logCapacity: 50,
      retainEnded: 0,
      wsIntervalMs: 250,
      wsDeltaMs: 40,
      sessionTimeoutS: 30,
      trustProxy: 'loopback',
    });
    expect(config.limits).toMatchObject({ maxBodyBytes: 2048, messageMaxBytes: 100 });
    // The capacity has one home: the limits once carried a stale twin that stayed 10,000.
    expect(config.limits).not.toHaveProperty('logCapacity');
    expect(config.under('/sessions')).toBe('/zen/sessions');
  });

  it('reads every limit, WebSocket, security and lifecycle variable of the README table', () => {
    const config = loadConfig({
      MAX_APPNAME_CHARS: '10',
      MAX_MODE_CHARS: '11',
      MAX_JOBID_CHARS: '12',
      MAX_METADATA_KEYS: '13',
      MAX_METADATA_KEY_CHARS: '14',
      MAX_METADATA_BYTES: '15',
      MAX_DATA_BYTES: '16',
      MAX_BATCH_ENTRIES: '17',
      MAX_READ_LIMIT: '18',
      MAX_SESSIONS: '19',
      MAX_CONNECTIONS: '20',
      WS_MAX_PAYLOAD_BYTES: '2048',
      WS_MAX_BUFFERED_BYTES: '4096',
      WS_MAX_TOTAL_BUFFERED_BYTES: '8192',
      MAX_INCOMING_BODY_BYTES: '16384',
      MAX_RATE_LIMIT_BUCKETS: '22',
      MAX_HELD_SERVER_LOG_MESSAGES: '23',
      WS_MAX_MESSAGES_IN_FLIGHT: '8',
      WS_LOG_CHUNK: '21',
      WS_PING_INTERVAL_MS: '0',
      AUTH_TOKEN: 'write-secret',
      AUTH_READ_TOKEN: 'read-secret',
      CORS_ORIGINS: 'http://a.example, http://b.example',
      SHUTDOWN_TIMEOUT_MS: '2500',
      DASHBOARD_DIR: BUILT_DASHBOARD,
    });
    expect(config.limits).toMatchObject({
      appnameMaxChars: 10,
      modeMaxChars: 11,
      jobidMaxChars: 12,
      metadataMaxKeys: 13,
      metadataKeyMaxChars: 14,
      metadataMaxBytes: 15,
      dataMaxBytes: 16,
      batchMaxEntries: 17,
      readMaxLimit: 18,
    });
    expect(config).toMatchObject({
      maxSessions: 19,
      maxConnections: 20,
      wsMaxPayloadBytes: 2048,
      wsMaxBufferedBytes: 4096,
      wsMaxTotalBufferedBytes: 8192,
      maxIncomingBodyBytes: 16384,
      maxRateLimitBuckets: 22,
      maxHeldServerLogMessages: 23,
      wsMaxMessagesInFlight: 8,
      wsLogChunk: 21,
      wsPingIntervalMs: 0,
      authToken: 'write-secret',
      authReadToken: 'read-secret',
      corsOrigins: ['http://a.example', 'http://b.example'],
      shutdownTimeoutMs: 2500,
      dashboardDir: BUILT_DASHBOARD,
    });
  });

  it('rejects a short token without echoing it', () => {
    expect(() => loadConfig({ AUTH_TOKEN: 'short' })).toThrow(
      'AUTH_TOKEN must be at least 8 visible ASCII characters, without spaces or control characters',
    );
    expect(() => loadConfig({ AUTH_TOKEN: 'short' })).not.toThrow(/short"/);
  });

  // Found by the audit: these started, but no client could send them in a header (curl sends
  // UTF-8, which Node reads as latin-1: 401; fetch throws beyond U+00FF).
  it.each([
    ['AUTH_TOKEN', 'pass€word1', 'U+20AC (character 5)'],
    ['AUTH_READ_TOKEN', 'passwörd1', 'U+00F6 (character 6)'],
    ['AUTH_TOKEN', 'pass\u0001word1', 'U+0001 (character 5)'],
    ['AUTH_READ_TOKEN', 'pass word1', 'U+0020 (character 5)'],
    ['AUTH_TOKEN', 'pass\tword1', 'U+0009 (character 5)'],
  ])('rejects %s %j, naming the character and never the token', (name, token, held) => {
    let message = '';
    try {
      loadConfig({ [name]: token });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`${name} must be at least 8 visible ASCII characters`);
    expect(message).toContain(`it holds ${held}`);
    expect(message).not.toContain('word1');
  });

  // Found by the operations audit: a token of spaces (an env file's `AUTH_TOKEN=  `, a template
  // expanding to a blank) was taken as unset and started the server with authentication off.
  it.each(['AUTH_TOKEN', 'AUTH_READ_TOKEN'])(
    'refuses %s of white space alone rather than turn authentication off',
    (name) => {
      expect(() => loadConfig({ [name]: '   ' })).toThrow(`${name} must be at least 8 visible ASCII characters`);
      expect(() => loadConfig({ [name]: '\t\n' })).toThrow(`${name} must be at least 8 visible ASCII characters`);
      // Empty still means unset, as the README says.
      expect(loadConfig({ [name]: '' })).toMatchObject({ authToken: null, authReadToken: null });
    },
  );

  it('accepts a token of any visible ASCII characters', () => {
    const token = 'Az09-._~+/=!#$%&*?@[]^`{|}';
    expect(loadConfig({ AUTH_TOKEN: token, AUTH_READ_TOKEN: token })).toMatchObject({
      authToken: token,
      authReadToken: token,
    });
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadConfig({ LOG_CAPACITY: 'abc', PORT: '70000', BASE_PATH: 'zen', MAX_BODY_BYTES: '-1' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain('LOG_CAPACITY must be an integer');
    expect(message).toContain('"abc"');
    expect(message).toContain('PORT must be an integer 0–65535');
    expect(message).toContain('BASE_PATH must be a path');
    expect(message).toContain('MAX_BODY_BYTES must be an integer >= 1');
  });

  // Found by the black-box contract check: a bad HOST ended in a raw getaddrinfo stack.
  it.each(['no such host!', 'host_name', '-leading.dash', '1.2.3.4:80'])('rejects HOST %j, naming it', (host) => {
    expect(() => loadConfig({ HOST: host })).toThrow(`HOST must be an IP address or a host name`);
  });

  it.each(['0.0.0.0', '::', '::1', 'localhost', 'zen-01.studio.example'])('accepts HOST %j', (host) => {
    expect(loadConfig({ HOST: host }).host).toBe(host);
  });

  it.each(['0', '5', '60001', '1.5', 'fast'])('rejects SESSIONS_WS_DELTA_MS %j, naming it', (value) => {
    expect(() => loadConfig({ SESSIONS_WS_DELTA_MS: value })).toThrow(
      'SESSIONS_WS_DELTA_MS must be an integer 10–60000',
    );
  });

  // Found by the audit: Node cuts a timer's delay above 2^31 − 1 ms to 1 ms, so 2147483648
  // terminated every WebSocket client at once, pushed ~850 listings a second, or made
  // SIGTERM exit at once with code 1.
  it.each([
    ['SESSIONS_WS_INTERVAL_MS', 'an integer 10–2147483647'],
    ['SHUTDOWN_TIMEOUT_MS', 'an integer 0–2147483647'],
    ['WS_PING_INTERVAL_MS', '0 (off) or an integer 100–2147483647'],
  ])('keeps %s within what a Node timer takes', (name, expected) => {
    expect(() => loadConfig({ [name]: '2147483648' })).toThrow(`${name} must be ${expected} (got "2147483648")`);
    expect(() => loadConfig({ [name]: '2147483647' })).not.toThrow();
  });

  // WS_PING_INTERVAL_MS=1 closed every client within ~20 ms: no pong can come back that soon.
  it.each(['1', '99', '-1', 'off'])('rejects WS_PING_INTERVAL_MS %j, naming it', (value) => {
    expect(() => loadConfig({ WS_PING_INTERVAL_MS: value })).toThrow(
      'WS_PING_INTERVAL_MS must be 0 (off) or an integer 100–2147483647',
    );
  });

  it.each([
    ['0', 0],
    ['100', 100],
    ['2147483647', 2147483647],
  ])('accepts WS_PING_INTERVAL_MS %j', (value, expected) => {
    expect(loadConfig({ WS_PING_INTERVAL_MS: value }).wsPingIntervalMs).toBe(expected);
  });

  // Found by the audit: '/zen/../x' started and logged "Listening on …/zen/../x/", but clients
  // resolve dot segments before sending, so every request was a 404.
  it.each(['/zen/../x', '/.', '/..', '/zen/.', '/./zen/', '/zen/..'])('rejects BASE_PATH %j, naming it', (path) => {
    expect(() => loadConfig({ BASE_PATH: path })).toThrow(`BASE_PATH must be a path such as '/zen'`);
  });

  it.each(['/zen.v2', '/...', '/.well', '/zen/..x', '/a_b~c-d'])('accepts BASE_PATH %j', (path) => {
    expect(loadConfig({ BASE_PATH: path }).basePath).toBe(path);
  });

  // Found by the audit: a DASHBOARD_DIR without a build started with a warning naming no
  // variable, then served the placeholder page for every file, main.js included.
  it.each([
    ['a directory that does not exist', () => '/nonexistent'],
    ['a regular file', () => join(BUILT_DASHBOARD, 'index.html')],
    ['a directory without index.html', () => EMPTY_DIR],
  ])('rejects a DASHBOARD_DIR that is %s, naming it', (_what, dir) => {
    expect(() => loadConfig({ DASHBOARD_DIR: dir() })).toThrow(
      `DASHBOARD_DIR must be a directory holding the built dashboard (its index.html) (got ${JSON.stringify(dir())})`,
    );
  });

  it('leaves a missing default dashboard to the placeholder page (nx serve api, before a build)', () => {
    expect(() => loadConfig({})).not.toThrow();
  });

  it('treats a root BASE_PATH as no prefix and reads TRUST_PROXY hop counts', () => {
    expect(loadConfig({ BASE_PATH: '/', TRUST_PROXY: '2' })).toMatchObject({ basePath: '', trustProxy: 2 });
  });

  // Found by the operations audit: MAX_BODY_BYTES=99999999999999999 was refused as "must be an
  // integer >= 1", which it is; TRUST_PROXY=99999999999999999999999 started with a hop count of 1e23.
  it.each(['MAX_BODY_BYTES', 'SESSIONS_TIMEOUT_S', 'LOG_MEMORY_BYTES'])(
    'refuses %s past 2^53 − 1 saying the maximum',
    (name) => {
      expect(() => loadConfig({ [name]: '99999999999999999' })).toThrow(
        `${name} must be an integer >= ${name === 'LOG_MEMORY_BYTES' ? 1048576 : name === 'SESSIONS_TIMEOUT_S' ? 0 : 1}, at most 9007199254740991 (got "99999999999999999")`,
      );
      expect(loadConfig({ [name]: '9007199254740991' })).toBeInstanceOf(Object);
    },
  );

  it('refuses a TRUST_PROXY hop count past 2^53 − 1', () => {
    expect(() => loadConfig({ TRUST_PROXY: '99999999999999999999999' })).toThrow(
      'TRUST_PROXY must be true, false, a hop count',
    );
    expect(loadConfig({ TRUST_PROXY: '9007199254740991' }).trustProxy).toBe(9007199254740991);
  });

  // Found by the API audit: TRUST_PROXY=maybe ended the start in Express's bare
  // "TypeError: invalid IP address: maybe", and CORS_ORIGINS=notaurl started a server whose
  // CORS could never match; "a bad value stops the start with a message naming it".
  it.each(['maybe', 'loopback,nope', '10.0.0.0/33', '1.2.3.4/5/6', 'yes', '10.0.0.1/255.0.255.0'])(
    'rejects TRUST_PROXY %j, naming it',
    (value) => {
      expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(`TRUST_PROXY must be true, false, a hop count`);
    },
  );

  it.each(['loopback', 'loopback, 10.0.0.0/8', 'uniquelocal,::1', '192.168.0.0/255.255.0.0', 'fe80::/10'])(
    'accepts TRUST_PROXY %j',
    (value) => {
      expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toBe(value);
    },
  );

  it.each([
    'notaurl',
    'http://tools.example/',
    'tools.example',
    'ftp://tools.example',
    'http://a.example,*x',
    ',',
    ' , ,',
  ])('rejects CORS_ORIGINS %j, naming it', (value) => {
    expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(`CORS_ORIGINS must be '*' or comma-separated origins`);
  });

  it.each([',', 'https://tools.example', 'tools.example:8443', 'bad_name'])(
    'rejects ALLOWED_HOSTS %j, naming it',
    (value) => {
      expect(() => loadConfig({ ALLOWED_HOSTS: value })).toThrow(
        `ALLOWED_HOSTS must be '*' or comma-separated host names`,
      );
    },
  );

  it('accepts ALLOWED_HOSTS of host names, addresses or *', () => {
    expect(loadConfig({ ALLOWED_HOSTS: '*' }).allowedHosts).toEqual(['*']);
    expect(loadConfig({ ALLOWED_HOSTS: 'tools.studio.example, 10.0.0.5' }).allowedHosts).toEqual([
      'tools.studio.example',
      '10.0.0.5',
    ]);
    expect(loadConfig({}).allowedHosts).toEqual([]);
  });

  it('accepts CORS_ORIGINS of origins or *', () => {
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toEqual(['*']);
    expect(loadConfig({ CORS_ORIGINS: 'https://a.example:8443, http://localhost:4200' }).corsOrigins).toEqual([
      'https://a.example:8443',
      'http://localhost:4200',
    ]);
  });

  it('defaults to the memory store, with the Redis settings the README names', () => {
    expect(loadConfig({})).toMatchObject({
      logStore: 'memory',
      redisUrl: 'redis://127.0.0.1:6379',
      redisKeyPrefix: 'zen:',
      redisTimeoutMs: 2000,
      redisLargeReads: 1,
      redisLargeReadWaitMs: 30_000,
    });
  });

  it('reads the Redis store settings', () => {
    const config = loadConfig({
      LOG_STORE: 'redis',
      REDIS_URL: 'rediss://user:secret@redis.studio.example:6380/2',
      REDIS_KEY_PREFIX: 'studio-a:',
      REDIS_TIMEOUT_MS: '500',
      REDIS_LARGE_READS: '2',
      REDIS_LARGE_READ_WAIT_MS: '0',
    });
    expect(config).toMatchObject({
      logStore: 'redis',
      redisUrl: 'rediss://user:secret@redis.studio.example:6380/2',
      redisKeyPrefix: 'studio-a:',
      redisTimeoutMs: 500,
      redisLargeReads: 2,
      redisLargeReadWaitMs: 0,
    });
  });

  it('rejects a bad store, Redis URL, key prefix or timeout, never echoing a password', () => {
    let message = '';
    try {
      loadConfig({
        LOG_STORE: 'postgres',
        REDIS_URL: 'http://user:secret@redis:6379',
        REDIS_KEY_PREFIX: 'a{b}',
        REDIS_TIMEOUT_MS: '0',
        REDIS_LARGE_READS: '0',
        REDIS_LARGE_READ_WAIT_MS: '600001',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('LOG_STORE must be one of memory, redis (got "postgres")');
    expect(message).toContain("REDIS_URL must be a URL such as 'redis://127.0.0.1:6379'");
    expect(message).not.toContain('secret');
    expect(message).toContain('REDIS_KEY_PREFIX must be a prefix without braces');
    expect(message).toContain('REDIS_TIMEOUT_MS must be an integer 1–600000');
    expect(message).toContain('REDIS_LARGE_READS must be an integer 1–1000');
    expect(message).toContain('REDIS_LARGE_READ_WAIT_MS must be an integer 0–600000');
    expect(() => loadConfig({ REDIS_URL: 'not a url' })).toThrow('REDIS_URL must be a URL');
  });

  // A password pasted as it is (':', '/' or '@' in it) or a URL without its scheme does not parse as a URL:
  // the refusal must still hide all of the password, as it does for one that parses.
  it.each([
    'redis://user:se:cretpw@bad host:6379',
    'redis://user:ab/cretpw@bad host:6379',
    'redis://user:p@cretpw@bad host:6379',
    'user:cretpw@127.0.0.1:6379',
  ])('rejects %s without echoing any of its password', (url) => {
    let message = '';
    try {
      loadConfig({ REDIS_URL: url });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('REDIS_URL must be a URL');
    expect(message).not.toMatch(/se:|ab\/|cretpw/);
    expect(message).toContain(':***@');
  });

  // The Redis client would throw at start-up on these (TypeError "Invalid pathname", URIError), naming no variable.
  it.each([
    'redis://127.0.0.1:6379/abc',
    'redis://127.0.0.1:6379/-1',
    'redis://127.0.0.1:6379/1.5',
    'redis://u:%zz@h:6379',
  ])('rejects %s at start-up, naming REDIS_URL', (url) => {
    expect(() => loadConfig({ REDIS_URL: url })).toThrow('REDIS_URL must be a URL');
  });

  // Found by the stop-50 configuration audit: the Redis client ignores a query and a fragment, so
  // `?db=2` used database 0 without a word (two services meant to be apart shared it).
  it.each(['redis://127.0.0.1:6379?db=2', 'redis://u:secretpw@h:6379/1?tls=true', 'redis://127.0.0.1:6379/#2'])(
    'rejects %s, which the Redis client would read without its query or fragment',
    (url) => {
      let message = '';
      try {
        loadConfig({ REDIS_URL: url });
      } catch (error) {
        message = (error as Error).message;
      }
      expect(message).toContain(
        "REDIS_URL must be a URL without a query or fragment, which the Redis client ignores (a database is the path: 'redis://host:6379/2')",
      );
      expect(message).not.toContain('secretpw');
    },
  );

  it.each(['redis://127.0.0.1:6379/', 'redis://127.0.0.1:6379/15', 'redis://u%40x:p%25w@h:6379/0'])(
    'accepts %s',
    (url) => {
      expect(loadConfig({ REDIS_URL: url }).redisUrl).toBe(url);
    },
  );
});

describe('misspelledSettings', () => {
  it('names a variable that looks like a setting misspelt, and the setting it looks like', () => {
    expect(
      misspelledSettings({
        SESSION_TIMEOUT_S: '30',
        LOG_CAPCAITY: '5',
        log_store: 'redis',
        REDIS_URI: 'redis://db:6379',
        BASEPATH: '/zen',
      }),
    ).toEqual([
      'SESSION_TIMEOUT_S is not a setting (SESSIONS_TIMEOUT_S is): it is ignored',
      'LOG_CAPCAITY is not a setting (LOG_CAPACITY is): it is ignored',
      'log_store is not a setting (LOG_STORE is): it is ignored',
      'REDIS_URI is not a setting (REDIS_URL is): it is ignored',
      'BASEPATH is not a setting (BASE_PATH is): it is ignored',
    ]);
  });

  it('leaves the settings themselves and the rest of an environment alone', () => {
    const settings = Object.fromEntries([...readmeSettings()].map((name) => [name, '1']));
    const common = [
      'HOME',
      'HOSTNAME',
      'PWD',
      'PATH',
      'USER',
      'SHELL',
      'LANG',
      'TERM',
      'NODE_ENV',
      'NODE_OPTIONS',
      'NODE_PATH',
      'TMPDIR',
      'INIT_CWD',
      'JEST_WORKER_ID',
      'NX_DAEMON',
      'NX_NO_CLOUD',
      'GLIBC_TUNABLES',
      'LOGNAME',
      'MAIL',
      'OLDPWD',
      'SHLVL',
      'TZ',
      'EDITOR',
      'PAGER',
      'DISPLAY',
      'SSH_AUTH_SOCK',
      'XDG_RUNTIME_DIR',
      'INVOCATION_ID',
      'JOURNAL_STREAM',
      'SYSTEMD_EXEC_PID',
      'MAINPID',
      'LISTEN_FDS',
      'LISTEN_PID',
      'NOTIFY_SOCKET',
      'HTTP_PROXY',
      'HTTPS_PROXY',
      'NO_PROXY',
      'http_proxy',
      'https_proxy',
      'no_proxy',
      'CI',
      'DEBUG',
      'FORCE_COLOR',
      'NO_COLOR',
    ];
    expect(
      misspelledSettings({ ...settings, ...Object.fromEntries(common.map((name) => [name, 'x'])), ...process.env }),
    ).toEqual([]);
  });
});

/** The variables of the README's configuration table. */
function readmeSettings(): string[] {
  const readme = readFileSync(join(__dirname, '../../../../README.md'), 'utf8');
  const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Feeding sessions'));
  return [...table.matchAll(/^\| `([A-Z_]+)` +\|/gm)].map((match) => match[1]);
}
