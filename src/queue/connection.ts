/**
 * Redis connections. A worker's connections wait out a Redis restart (ioredis reconnects with
 * backoff and re-sends queued commands: `maxRetriesPerRequest: null`), so a restart costs time, not
 * jobs. CLI connections fail fast instead, so `driftline queue check` against a dead Redis says so in
 * about a second rather than hanging.
 */
import { Redis } from 'ioredis';
import type { Config } from '../config.js';
import { DriftlineError } from '../errors.js';

export type RedisRole = 'worker' | 'worker-blocking' | 'cli' | 'api';

/** Reconnect delay: 100 ms growing by 100 ms per try, at most 2 s (a restart is usually ~1 s). */
function reconnectDelayMs(times: number): number {
  return Math.min(times * 100, 2000);
}

export function createRedis(config: Pick<Config, 'REDIS_URL'>, role: RedisRole): Redis {
  const common = { lazyConnect: false, connectionName: `driftline-${role}` } as const;
  if (role === 'cli') {
    return new Redis(config.REDIS_URL, {
      ...common,
      connectTimeout: 2000,
      maxRetriesPerRequest: 1,
      // Give up after 2 reconnect attempts: an operator command should report, not wait.
      retryStrategy: (times) => (times > 2 ? null : reconnectDelayMs(times)),
    });
  }
  if (role === 'api') {
    // The HTTP API answers 503 within about a second when Redis is away (one retry per command)
    // but keeps reconnecting for as long as the server runs.
    return new Redis(config.REDIS_URL, { ...common, connectTimeout: 2000, maxRetriesPerRequest: 1, retryStrategy: reconnectDelayMs });
  }
  return new Redis(config.REDIS_URL, {
    ...common,
    connectTimeout: 5000,
    maxRetriesPerRequest: null,
    retryStrategy: reconnectDelayMs,
    // A claim (BLMOVE) cut off by a disconnect must fail rather than be re-sent blindly: Redis may have
    // moved the job before the connection broke, so the worker first hands back whatever sits in its
    // processing list unaccounted for, then claims again (src/worker/worker.ts, reconcile).
    ...(role === 'worker-blocking' ? { autoResendUnfulfilledCommands: false } : {}),
  });
}

/** Wrap a Redis failure as a retryable E_QUEUE naming the operation. */
export function queueError(operation: string, err: unknown): DriftlineError {
  if (err instanceof DriftlineError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new DriftlineError('E_QUEUE', `redis ${operation}: ${message}`, { cause: err });
}
