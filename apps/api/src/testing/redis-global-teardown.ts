// Jest loads global setup outside the path aliases, so the helper is imported by its path.
// eslint-disable-next-line @nx/enforce-module-boundaries
import type { RedisServer } from '../../../../libs/testing/src/lib/redis-server';

export default async function teardown(): Promise<void> {
  await (globalThis as { redisServer?: RedisServer }).redisServer?.close();
}
