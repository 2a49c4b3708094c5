/**
 * The API's end-to-end suites once more with LOG_STORE=redis: a real redis-server for
 * the run (started by the global setup), each test app under its own key prefix.
 */
// Times in assertions are UTC, as in jest.config.cts: a local zone must not change the results.
process.env.TZ = 'UTC';

module.exports = {
  displayName: 'api-redis',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  // Every request is a round trip to Redis: slower on a busy machine than in memory.
  testTimeout: 30_000,
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  testMatch: [
    '<rootDir>/src/**/*.e2e.spec.ts',
    '<rootDir>/src/live/live.gateway.spec.ts',
    '<rootDir>/src/live/sessions-feed.spec.ts',
    '<rootDir>/src/health/health.spec.ts',
    '<rootDir>/src/auth/auth.spec.ts',
    '<rootDir>/src/metrics/metrics.spec.ts',
    '<rootDir>/src/create-app.spec.ts',
  ],
  // LOG_MEMORY_BYTES bounds the memory store only; with Redis, memory is Redis's own (maxmemory).
  // large-reads: the memory store's recycled body buffers (the Redis store's answers are not
  // recycled; its large reads at once are store/redis-faults.spec.ts's and log-store's).
  testPathIgnorePatterns: ['/node_modules/', 'log-memory-budget\\.e2e\\.spec\\.ts$', 'large-reads\\.e2e\\.spec\\.ts$'],
  globalSetup: '<rootDir>/src/testing/redis-global-setup.ts',
  globalTeardown: '<rootDir>/src/testing/redis-global-teardown.ts',
  coverageDirectory: '../../coverage/apps/api-redis',
};
