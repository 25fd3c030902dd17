/**
 * Environment configuration, validated at start. A bad value names the variable and the process exits
 * non-zero. Names kept from the existing worker: DATABASE_URL, REDIS_URL, S3_*, MAX_CONCURRENT_JOBS,
 * QUEUE_NAME, POLL_INTERVAL, LOG_LEVEL. Secrets (S3_SECRET_KEY, passwords in URLs) never reach logs:
 * use `redactedConfig()` to print.
 */
import { isIP } from 'node:net';
import os from 'node:os';
import { z } from './vendor/zod.js';
import { DriftlineError } from './errors.js';
import { parseAllowList } from './storage/policy.js';
import { redactUrl } from './redact.js';

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

/**
 * The scheme is checked here because the clients mis-read anything else: ioredis takes `http://…` for a
 * unix-socket path and fails with "connect ENOENT"; pg ignores the scheme altogether. The messages never
 * echo the value (it may hold a password).
 */
const hasScheme = (s: string, schemes: RegExp) => URL.canParse(s) && schemes.test(new URL(s).protocol);
const redisUrl = z
  .string()
  .refine(
    (s) => s.startsWith('/') || hasScheme(s, /^rediss?:$/),
    'expected redis://[:password@]host:port[/db], rediss://… (TLS) or a unix socket path such as /run/redis/redis.sock',
  );
const databaseUrl = z
  .string()
  .refine(
    (s) => hasScheme(s, /^postgres(ql)?:$/),
    'expected postgresql://user[:password]@host:port/database (a unix socket: postgresql:///database?host=/run/postgresql)',
  );

export const envSchema = z.object({
  DATABASE_URL: databaseUrl.default('postgresql://postgres@127.0.0.1:5432/test'),
  /** PostgreSQL schema for driftline's tables (search_path of every connection); tests use one per file. */
  DATABASE_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case SQL identifier, e.g. "public" or "driftline"')
    .default('public'),
  /** Run `driftline migrate` when a worker starts (safe with several workers: advisory lock). */
  MIGRATE_ON_START: bool.default(true),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
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
  /**
   * How long an upload of computed products is retried (backoff RETRY_BASE_MS..RETRY_MAX_MS, the mission
   * held and its heartbeat alive) before the failure counts as an attempt: an S3 outage of minutes must
   * not fail missions whose products exist. 10 min covers a MinIO restart or a short network partition.
   */
  STORAGE_RETRY_SECONDS: num(0, 24 * 3600).default(600),
  /**
   * Reconciliation (PostgreSQL is the source of truth): every this many seconds one worker looks for
   * queued or processing rows that have not moved for RECONCILE_GRACE_SECONDS and whose jobs no Redis
   * list holds (Redis restarted without persistence, a producer died between its insert and its push),
   * and re-enqueues them. 0 turns the sweep off.
   */
  RECONCILE_INTERVAL_SECONDS: num(0, 86_400).default(60),
  /** Twice the default lease plus a minute: a live worker writes heartbeat_at every second. */
  RECONCILE_GRACE_SECONDS: num(1, 86_400).default(120),
  /** Scratch space for products before upload. */
  WORK_DIR: z.string().default(os.tmpdir()),
  // --- operations (issue 11): where /healthz and /metrics listen ---
  /**
   * Loopback by default: /metrics names the queue and the workers and neither endpoint has
   * authentication, so nothing off the machine should reach them unless the operator says so. The
   * Docker image sets 0.0.0.0 (its network namespace is the boundary; Prometheus on the compose
   * network scrapes it, and the HEALTHCHECK uses 127.0.0.1 either way).
   */
  METRICS_HOST: z
    .string()
    .refine((s) => isIP(s) !== 0 || s === 'localhost', 'expected an IP address to listen on, e.g. 127.0.0.1, 0.0.0.0 or ::')
    .default('127.0.0.1'),
  // --- HTTP API and map page (`driftline serve`, src/api) ---
  API_PORT: int(0, 65535).default(8080),
  /** Loopback by default; any other address needs API_AUTH=on (the server refuses to start otherwise). */
  API_HOST: z.string().min(1).default('127.0.0.1'),
  /** Bearer API keys (`driftline apikey create`); `off` only for local development on loopback. */
  API_AUTH: z.enum(['on', 'off']).default('on'),
  /** A job is about 1 KB; 64 KiB leaves room for long forcing URI lists and refuses anything absurd. */
  API_BODY_LIMIT_BYTES: int(1024, 10 * 1024 * 1024).default(65_536),
  /** Requests per minute per API key (per client address with auth off). */
  API_RATE_LIMIT_PER_MINUTE: int(1, 1_000_000).default(600),
  /** Lifetime of the presigned product URLs in GET /missions/:id. */
  API_PRESIGN_SECONDS: int(60, 7 * 86_400).default(900),
  /** How often the shared poller reads the missions that SSE streams watch. */
  API_EVENTS_POLL_MS: int(100, 60_000).default(1000),
  /** S3 endpoint the browsers reach, when it differs from S3_ENDPOINT (e.g. http://localhost:9000 vs http://minio:9000). */
  API_S3_PUBLIC_ENDPOINT: z.string().url().optional(),
  /** Optional raster tile URL template for the map page, e.g. https://tile.example/{z}/{x}/{y}.png; default: the built-in coastline only. */
  BASEMAP_URL: z.string().optional(),
  // --- forcing source policy (issue 11; src/storage/policy.ts, README "Forcing") ---
  /** The bucket queued jobs may read forcing from when FORCING_ALLOW is unset. */
  FORCING_BUCKET: z.string().min(3).max(63).default('driftline-forcing'),
  /** Comma list of allowed prefixes (s3://bucket/prefix/, https://host/path/, http://host:port/path/); replaces FORCING_BUCKET. */
  FORCING_ALLOW: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      if (v === undefined) return;
      try {
        parseAllowList(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message.replace(/^invalid environment: FORCING_ALLOW: /, '') });
      }
    }),
  /** Comma list of directories whose files queued jobs may name as local paths or file:// (unset: none). */
  FORCING_ALLOW_LOCAL: z.string().optional(),
  /** Let forcing URLs reach loopback, private and link-local addresses (forcing on an internal server). */
  FORCING_ALLOW_PRIVATE_NETWORKS: bool.default(false),
  /** Largest forcing download, MiB (4 GiB holds a month of hourly 1/12° regional wind and current). */
  FORCING_MAX_MB: int(1, 1_000_000).default(4096),
  /** Total time for one forcing download, HEAD included (15 min moves 4 GiB at 4.6 MiB/s). */
  FORCING_FETCH_TIMEOUT_SECONDS: num(1, 86_400).default(900),

  // --- Resource limits (issue 11, point 5: job-limits) ---
  /**
   * Largest estimated peak memory of one mission (src/mission/estimate.ts), MB; larger missions fail
   * with E_MISSION_TOO_LARGE before anything is allocated. Default: half of the machine's memory (or of
   * the cgroup limit in a container), leaving the other half to the OS, the page cache of forcing
   * files, ffmpeg and other missions.
   */
  MAX_MISSION_MB: int(64, 16_777_216).default(defaultMaxMissionMb()),
  /**
   * Admission control (src/worker/budget.ts): the estimated peaks of the missions a worker runs at once
   * stay within this, MB; a mission that does not fit beside the running ones waits for them. Default:
   * the same half of memory as MAX_MISSION_MB, so by default two missions at the limit do not run
   * side by side in one worker.
   */
  WORKER_MEMORY_MB: int(64, 16_777_216).default(defaultMaxMissionMb()),
  // Land (src/land/tile-cache.ts): where the coastline's tile files are built and read; default
  // <package>/.cache/land. Must be writable where the tiles are not built yet.
  LAND_CACHE_DIR: z.string().optional(),
});

/** Half of the memory this process may use: the cgroup limit when there is one, else the machine's. */
function defaultMaxMissionMb(): number {
  const constrained = typeof process.constrainedMemory === 'function' ? (process.constrainedMemory() ?? 0) : 0;
  const total = constrained > 0 && constrained < os.totalmem() ? constrained : os.totalmem();
  return Math.max(64, Math.floor(total / 2 / 1024 / 1024));
}

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

export { redactUrl };
