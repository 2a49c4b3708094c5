export * from './batches';
export * from './harness';
export * from './log-store-conformance';
export * from './redis-suite';
export * from './session-registry-conformance';
