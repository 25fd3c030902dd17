/** A random queue name per test file on the shared Redis; cleanup() deletes every key under it. */
import { Redis } from 'ioredis';
import { randomName } from './s3.js';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface TestQueue {
  name: string;
  redis: Redis;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export async function randomQueue(prefix: string): Promise<TestQueue> {
  const name = `test:${randomName(prefix)}`;
  const redis = new Redis(REDIS_URL);
  return {
    name,
    redis,
    env: { REDIS_URL, QUEUE_NAME: name },
    async cleanup() {
      const keys: string[] = [];
      // The queue name contains no glob characters (randomName uses [a-z0-9-]).
      for await (const batch of redis.scanStream({ match: `${name}*`, count: 1000 })) keys.push(...(batch as string[]));
      if (keys.length > 0) await redis.del(...keys);
      redis.disconnect();
    },
  };
}
