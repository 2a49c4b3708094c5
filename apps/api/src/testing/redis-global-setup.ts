import { RedisServer } from '../../../../libs/testing/src/lib/redis-server';

/** Starts the redis-server every test app of the run shares (each under its own key prefix). */
export default async function setup(): Promise<void> {
  const redis = await RedisServer.start();
  (globalThis as { redisServer?: RedisServer }).redisServer = redis;
  process.env['LOG_STORE'] = 'redis';
  process.env['REDIS_URL'] = redis.url;
}
