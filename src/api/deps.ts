/**
 * What the API's route handlers share: the services and caches the server builds once (server.ts
 * createDeps). Its own module so that routes import it without importing the server that registers them.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { JobQueue } from '../queue/queue.js';
import type { MissionEvents } from './events.js';
import type { ApiMetrics } from './metrics.js';
import type { PresignCache } from './view.js';

export interface ApiDeps {
  config: Config;
  logger: Logger;
  pool: pg.Pool;
  redis: Redis;
  queue: JobQueue;
  s3: S3Client;
  /** Client for presigning: S3 at API_S3_PUBLIC_ENDPOINT when set (the browser's view of S3). */
  presignS3: S3Client;
  presign: PresignCache;
  events: MissionEvents;
  metrics: ApiMetrics;
}
