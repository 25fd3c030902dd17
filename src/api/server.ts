/**
 * The HTTP API (`driftline serve`): fastify on API_HOST:API_PORT, beside the fleet, on the same
 * Redis, PostgreSQL and S3. Routes live in routes.ts; this file wires connections, auth, rate
 * limiting, the error format and shutdown.
 *
 * Auth off (API_AUTH=off) is refused unless API_HOST is loopback: a warning in a log nobody reads
 * would leave a job-submission endpoint, which costs CPU and storage on the fleet, open to a network.
 */
import rateLimit from '@fastify/rate-limit';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { createPool } from '../db/pool.js';
import { findApiKey, getMissionStates } from '../db/queries/index.js';
import { DriftlineError, asDriftlineError } from '../errors.js';
import type { Logger } from '../logger.js';
import { createRedis } from '../queue/connection.js';
import { JobQueue } from '../queue/queue.js';
import { createS3Client } from '../storage/s3.js';
import { ApiKeyAuth } from './auth.js';
import { errorBody, fromFastifyError, statusOf } from './errors.js';
import { MissionEvents } from './events.js';
import { createApiMetrics } from './metrics.js';
import { registerPage } from './page.js';
import type { ApiDeps } from './deps.js';
import { registerRoutes } from './routes.js';
import { PresignCache } from './view.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Public id of the request's API key ("a1b2c3d4"), or null with auth off / on public routes. */
    apiKeyId: string | null;
  }
}

export interface ApiServer {
  app: FastifyInstance;
  deps: ApiDeps;
  /** Base URL it listens on, e.g. http://127.0.0.1:8080. */
  url: string;
  close(): Promise<void>;
}

/**
 * 10 connections: a status read is one query, so 200 concurrent reads queue briefly in the pool
 * rather than open 200 connections (PostgreSQL's default max_connections is 100, shared with the fleet).
 */
const API_POOL_SIZE = 10;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Paths open without a key: the page and its assets, health, metrics, the API description. */
function isPublic(url: string): boolean {
  const path = url.split('?')[0] ?? url;
  return !path.startsWith('/missions');
}

export function createDeps(config: Config, logger: Logger): ApiDeps {
  const pool = createPool(config, { applicationName: 'driftline-api', max: API_POOL_SIZE, logger });
  const redis = createRedis(config, 'api');
  redis.on('error', (e: Error) => logger.warn({ err: e.message }, 'redis connection error'));
  const s3 = createS3Client(config);
  const presignS3 = config.API_S3_PUBLIC_ENDPOINT ? createS3Client({ ...config, S3_ENDPOINT: config.API_S3_PUBLIC_ENDPOINT }) : s3;
  const metrics = createApiMetrics();
  const events = new MissionEvents((ids) => getMissionStates(pool, ids), config.API_EVENTS_POLL_MS, logger, (n) => metrics.openStreams.set(n));
  const presign = new PresignCache(presignS3, config.API_PRESIGN_SECONDS);
  return { config, logger, pool, redis, queue: new JobQueue(redis, config.QUEUE_NAME), s3, presignS3, presign, events, metrics };
}

export async function buildApp(deps: ApiDeps): Promise<FastifyInstance> {
  const { config, logger } = deps;
  const authOn = config.API_AUTH === 'on';
  if (!authOn && !isLoopback(config.API_HOST)) {
    throw new DriftlineError('E_CONFIG', `API_AUTH=off is allowed only on a loopback API_HOST (127.0.0.1, ::1, localhost), not "${config.API_HOST}"; create a key with \`driftline apikey create\``, { field: 'API_AUTH' });
  }
  const app = Fastify({
    // driftline's pino (v10) and fastify's bundled pino types differ only in generics.
    loggerInstance: logger as unknown as FastifyBaseLogger,
    bodyLimit: config.API_BODY_LIMIT_BYTES,
    // Request lines are logged by the onResponse hook below, without headers (they hold the key).
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
  app.decorateRequest('apiKeyId', null);

  const auth = new ApiKeyAuth((sha) => findApiKey(deps.pool, sha));
  app.addHook('onRequest', async (req) => {
    if (authOn && !isPublic(req.url)) req.apiKeyId = await auth.verify(req);
  });
  await app.register(rateLimit, {
    max: config.API_RATE_LIMIT_PER_MINUTE,
    timeWindow: 60_000,
    hook: 'preHandler',
    keyGenerator: (req) => (req.apiKeyId !== null ? `key:${req.apiKeyId}` : `ip:${req.ip}`),
    // Health and metrics are scraped by machines every few seconds; they must not compete with users.
    allowList: (req) => req.url === '/healthz' || req.url === '/metrics',
    errorResponseBuilder: (_req, ctx) => {
      const e = new DriftlineError('E_RATE_LIMITED', `rate limit of ${ctx.max} requests per ${ctx.after} reached; retry in ${Math.ceil(ctx.ttl / 1000)} s`);
      return Object.assign(e, { statusCode: ctx.statusCode });
    },
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    deps.metrics.requestSeconds.observe({ method: req.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    const line = { method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10, key_id: req.apiKeyId };
    if (reply.statusCode >= 500) logger.warn(line, 'request failed');
    else logger.debug(line, 'request');
  });

  app.setErrorHandler((error, req, reply) => {
    const fastifyError = error as { code?: string; statusCode?: number; message: string };
    if (error instanceof DriftlineError) {
      const status = (error as { statusCode?: number }).statusCode ?? statusOf(error);
      if (status >= 500) logger.warn({ err: error.message, code: error.code, url: req.url }, 'request failed');
      const message = status >= 500 && status !== 503 ? 'internal error' : error.message;
      const fields = (error as { fields?: Array<{ field: string; message: string }> }).fields;
      return reply.status(status).send(errorBody(error.code, message, fields));
    }
    const mapped = fromFastifyError(fastifyError);
    if (mapped) return reply.status(mapped.status).send(mapped.body);
    const e = asDriftlineError(error);
    logger.error({ err: e.message, url: req.url }, 'unexpected error');
    return reply.status(500).send(errorBody('E_INTERNAL', 'internal error'));
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.status(404).send(errorBody('E_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}; see /openapi.json`));
  });

  registerRoutes(app, deps, authOn);
  registerPage(app, config);
  return app;
}

/** The V8 flags docker-compose.dev.yml starts the API with (bursts of requests; it says why and what they bought). */
const API_V8_FLAGS = ['--max-semi-space-size', '--interrupt-budget'];

/** Which of API_V8_FLAGS this process was started without. */
function missingV8Flags(): string[] {
  return API_V8_FLAGS.filter((flag) => !process.execArgv.some((a) => a.startsWith(flag)));
}

/** Connect, migrate (MIGRATE_ON_START), listen. */
export async function startApiServer(config: Config, logger: Logger): Promise<ApiServer> {
  const deps = createDeps(config, logger);
  const closeDeps = async () => {
    deps.events.close();
    deps.redis.disconnect();
    await deps.pool.end().catch(() => undefined);
    deps.s3.destroy();
    if (deps.presignS3 !== deps.s3) deps.presignS3.destroy();
  };
  let app: FastifyInstance;
  try {
    if (config.MIGRATE_ON_START) {
      const { migrate } = await import('../db/migrate.js');
      await migrate(config);
    }
    // Open the pool's connections now rather than inside the first burst of requests: under load a
    // new PostgreSQL connection can take seconds, and requests queued behind it then time out (503).
    await Promise.all(Array.from({ length: API_POOL_SIZE }, () => deps.pool.query('SELECT 1')));
    app = await buildApp(deps);
    await app.listen({ port: config.API_PORT, host: config.API_HOST });
  } catch (err) {
    await closeDeps();
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.API_PORT;
  const host = config.API_HOST.includes(':') ? `[${config.API_HOST}]` : config.API_HOST;
  const url = `http://${host}:${port}`;
  logger.info({ url, auth: config.API_AUTH, port }, 'api listening');
  const missing = missingV8Flags();
  if (missing.length > 0) {
    logger.info(
      { missing },
      'started without the V8 flags tuned for bursts of requests: docker-compose.dev.yml runs `node --max-semi-space-size=64 --interrupt-budget=16384 dist/cli/main.js serve` (p99 of 200 concurrent status reads, bench/api.bench.mjs)',
    );
  }
  return {
    app,
    deps,
    url,
    async close() {
      deps.events.close();
      await app.close();
      await closeDeps();
    },
  };
}
