export * from './create-redis-stores';
export { RedisConnectionOptions } from './redis-connection';
export { RedisKeys } from './redis-keys';
