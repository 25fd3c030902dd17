/**
 * Environment configuration, validated at start. A bad value names the variable and the process exits
 * non-zero. Names kept from the existing worker: DATABASE_URL, REDIS_URL, S3_*, MAX_CONCURRENT_JOBS,
 * QUEUE_NAME, POLL_INTERVAL, LOG_LEVEL. Secrets (S3_SECRET_KEY, passwords in URLs) never reach logs:
 * use `redactedConfig()` to print.
 */
import os from 'node:os';
import { z } from 'zod';
import { DriftlineError } from './errors.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const num = (min: number, max: number) => z.coerce.number().min(min).max(max);
const bool = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/** [u, v] in m/s as "u,v". */
const vectorEnv = z
  .string()
  .regex(/^\s*-?[\d.]+(e-?\d+)?\s*,\s*-?[\d.]+(e-?\d+)?\s*$/i, 'expected "u,v" in m/s, e.g. "5,0"')
  .transform((s) => s.split(',').map(Number) as [number, number]);

export const envSchema = z.object({
  DATABASE_URL: z.string().url().default('postgresql://postgres@127.0.0.1:5432/test'),
  /** PostgreSQL schema for driftline's tables (search_path of every connection); tests use one per file. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier, e.g. "public" or "driftline"')
    .default('public'),
  /** Run `driftline migrate` when a worker starts (safe with several workers: advisory lock). */
  MIGRATE_ON_START: bool.default(true),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_ACCESS_KEY: z.string().optional(),
  S3_SECRET_KEY: z.string().optional(),
  S3_BUCKET: z.string().min(3).max(63).default('driftline-results'),
  S3_REGION: z.string().default('us-east-1'),
  /** MinIO and s3rver want path-style URLs; AWS accepts both. */
  S3_FORCE_PATH_STYLE: bool.default(true),
  QUEUE_NAME: z.string().min(1).default('drift_jobs'),
  MAX_CONCURRENT_JOBS: int(1, 64).default(2),
  /** Seconds a blocking pop waits before the loop checks for shutdown (old worker's name). */
  POLL_INTERVAL: num(0.1, 60).default(5),
  /** A worker's lease on its processing list; a dead worker's jobs return to the queue after about this long. */
  LEASE_SECONDS: num(1, 3600).default(30),
  /** How often a worker renews its lease and reaps dead workers' leases; at most half of LEASE_SECONDS. */
  HEARTBEAT_SECONDS: num(0.1, 600).default(5),
  MAX_ATTEMPTS: int(1, 100).default(3),
  /** First retry delay; doubles per attempt (with ±20 % jitter), capped at RETRY_MAX_MS. */
  RETRY_BASE_MS: int(1, 600_000).default(1000),
  RETRY_MAX_MS: int(1, 3_600_000).default(30_000),
  /** How often a running mission writes progress and heartbeat_at to PostgreSQL. */
  PROGRESS_INTERVAL_SECONDS: num(0.1, 600).default(1),
  SHUTDOWN_GRACE_SECONDS: num(0, 3600).default(60),
  METRICS_PORT: int(0, 65535).default(9464),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WORKER_ID: z.string().min(1).default(`${os.hostname()}-${process.pid}`),
  /** Simulation threads per mission; default = cores. */
  SIM_THREADS: int(1, 256).default(Math.max(1, os.availableParallelism())),
  MAX_PARTICLES: int(1, 50_000_000).default(2_000_000),
  MAX_DURATION_HOURS: num(1, 24 * 365).default(720),
  FORCING_CACHE_DIR: z.string().default(`${os.tmpdir()}/driftline-forcing-cache`),
  FORCING_CACHE_MAX_MB: int(1, 1_000_000).default(10_240),
  /** Used when a mission names no forcing: env defaults, then fallback constants, or fail. */
  FORCING_WIND_URI: z.string().optional(),
  FORCING_CURRENT_URI: z.string().optional(),
  FORCING_LAND_URI: z.string().optional(),
  FORCING_FALLBACK: z.enum(['constant', 'fail']).default('constant'),
  FORCING_FALLBACK_WIND: vectorEnv.default([5, 0]),
  FORCING_FALLBACK_CURRENT: vectorEnv.default([0, 0]),
  /** GeoJSON/TopoJSON land polygons replacing the built-in global coastline (src/land/coastline.ts). */
  COASTLINE_FILE: z.string().optional(),
  FFMPEG_PATH: z.string().optional(),
  /** Scratch space for products before upload. */
  WORK_DIR: z.string().default(os.tmpdir()),
  // Land (src/land/tile-cache.ts): where the coastline's tile files are built and read; default
  // <package>/.cache/land. Must be writable where the tiles are not built yet.
  LAND_CACHE_DIR: z.string().optional(),
});

export type Config = z.infer<typeof envSchema>;

const SECRET_KEYS = new Set(['S3_SECRET_KEY', 'S3_ACCESS_KEY']);

/** Parse the environment; throws E_CONFIG naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const cleaned: Record<string, string> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') cleaned[key] = v;
  }
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new DriftlineError('E_CONFIG', `invalid environment: ${lines.join('; ')}`, {
      field: String(result.error.issues[0]?.path[0] ?? ''),
    });
  }
  const config = result.data;
  // The lease must survive one missed heartbeat, or a busy-but-alive worker loses its jobs.
  if (config.HEARTBEAT_SECONDS * 2 > config.LEASE_SECONDS) {
    throw new DriftlineError(
      'E_CONFIG',
      `invalid environment: HEARTBEAT_SECONDS: must be at most half of LEASE_SECONDS (${config.LEASE_SECONDS})`,
      { field: 'HEARTBEAT_SECONDS' },
    );
  }
  return config;
}

/** Config for printing: secrets masked, passwords stripped from URLs. */
export function redactedConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    if (SECRET_KEYS.has(k)) out[k] = v === undefined ? undefined : '***';
    else if (typeof v === 'string' && /^[a-z]+:\/\//i.test(v)) out[k] = redactUrl(v);
    else out[k] = v;
  }
  return out;
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}
