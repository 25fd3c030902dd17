/**
 * Connections for one CLI command, opened on demand and always closed (so the process exits by
 * itself with process.exitCode, no process.exit()).
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { loadConfig, type Config } from '../config.js';
import { DriftlineError } from '../errors.js';
import { createPool } from '../db/pool.js';
import { createRedis } from '../queue/connection.js';
import { JobQueue } from '../queue/queue.js';
import { describeServiceFailure } from './reachability.js';
import { createS3Client } from '../storage/s3.js';

export class Services {
  readonly config: Config;
  private redisConn: Redis | null = null;
  private poolConn: pg.Pool | null = null;
  private s3Conn: S3Client | null = null;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.config = loadConfig(env);
  }

  private redisError: Error | null = null;

  get redis(): Redis {
    if (!this.redisConn) {
      this.redisConn = createRedis(this.config, 'cli');
      // Failures surface on the command that needed Redis; keep the socket's cause for its message.
      this.redisConn.on('error', (e: Error) => (this.redisError = e));
    }
    return this.redisConn;
  }

  /** The queue, once Redis answers; otherwise E_QUEUE saying which Redis and why. */
  async queue(): Promise<JobQueue> {
    try {
      await this.redis.ping();
    } catch (e) {
      throw new DriftlineError('E_QUEUE', describeServiceFailure('Redis', this.config.REDIS_URL, this.redisError ?? e));
    }
    return new JobQueue(this.redis, this.config.QUEUE_NAME);
  }

  get pool(): pg.Pool {
    this.poolConn ??= createPool(this.config, { applicationName: 'driftline-cli', max: 2, connectTimeoutMs: 3000 });
    return this.poolConn;
  }

  get s3(): S3Client {
    this.s3Conn ??= createS3Client(this.config);
    return this.s3Conn;
  }

  async close(): Promise<void> {
    this.redisConn?.disconnect();
    await this.poolConn?.end().catch(() => undefined);
    this.s3Conn?.destroy();
  }
}

/** Run `fn` with services, closing them whatever happens. */
export async function withServices<T>(fn: (s: Services) => Promise<T>): Promise<T> {
  const s = new Services();
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}
