import type { RedisServer } from '../../../../libs/testing/src/lib/redis-server';

export default async function teardown(): Promise<void> {
  await (globalThis as { redisServer?: RedisServer }).redisServer?.close();
}
