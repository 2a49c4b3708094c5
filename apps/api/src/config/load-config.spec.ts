import { ConfigError, loadConfig } from './load-config';

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
      sessionTimeoutS: 30,
      trustProxy: 'loopback',
    });
    expect(config.limits).toMatchObject({ maxBodyBytes: 2048, messageMaxBytes: 100 });
    expect(config.under('/sessions')).toBe('/zen/sessions');
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

  it('treats a root BASE_PATH as no prefix and reads TRUST_PROXY hop counts', () => {
    expect(loadConfig({ BASE_PATH: '/', TRUST_PROXY: '2' })).toMatchObject({ basePath: '', trustProxy: 2 });
  });
});
