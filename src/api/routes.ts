/**
 * The API's routes (contract: /openapi.json, built in openapi.ts). POST /missions records the
 * mission as `queued` in PostgreSQL, then pushes the job onto the Redis list, as `driftline push`
 * does; a push that fails marks the row failed (E_QUEUE) so it never waits for ever.
 */
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { cancelMission, failMission, getMission, getMissionResults, getMissionStates, getMissionsWithResults, insertQueuedMission, listMissionsPage } from '../db/queries/index.js';
import { DriftlineError } from '../errors.js';
import { jobSchema, type JobLimits } from '../job/schema.js';
import { resolveCategory } from '../job/validate.js';
import { storageError } from '../storage/errors.js';
import { parseS3Uri } from '../storage/s3.js';
import { ApiError, type FieldIssue } from './errors.js';
import { openApiDocument } from './openapi.js';
import { readDensityStep } from './density.js';
import { readMapParticles } from './particles.js';
import { registerPlanRoute } from './plan.js';
import { densityQuerySchema, idParamSchema, listQuerySchema } from './schemas.js';
import type { ApiDeps } from './deps.js';
import { BodyCache, StatusReads } from './status-reads.js';
import { missionPath, missionView, productViews } from './view.js';

/** Every zod issue as {field, message}: the 400 names every invalid field, not just the first. */
function issuesOf(error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> }): FieldIssue[] {
  return error.issues.map((i) => ({ field: i.path.length > 0 ? i.path.map(String).join('.') : '(job)', message: i.message }));
}

function missionId(params: unknown): string {
  const r = idParamSchema.safeParse(params);
  if (!r.success) throw new ApiError('E_NOT_FOUND', 'no such mission');
  return r.data.id;
}

/** Cursor: base64url of "<created_at in µs>,<id>" (listMissionsPage.ts says why microseconds). */
function encodeCursor(createdAtUs: string, id: string): string {
  return Buffer.from(`${createdAtUs},${id}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): { createdAtUs: string; id: string } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const m = /^(\d{1,19}),(.+)$/.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) throw new ApiError('E_REQUEST', 'cursor: not a cursor from a previous page', { fields: [{ field: 'cursor', message: 'malformed' }] });
  return { createdAtUs: m[1], id: m[2] };
}

export function registerRoutes(app: FastifyInstance, deps: ApiDeps, authOn: boolean): void {
  const { config, pool } = deps;
  const limits: JobLimits = { maxParticles: config.MAX_PARTICLES, maxDurationHours: config.MAX_DURATION_HOURS };
  const schema = jobSchema(limits);
  const openapi = openApiDocument(limits, authOn);

  app.post('/missions', async (req, reply) => {
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ApiError('E_JOB_INVALID', 'the body must be a JSON object: {"mission_id"?: ..., "params": {...}}', { fields: [{ field: '(job)', message: 'expected an object' }] });
    }
    const raw = body as Record<string, unknown>;
    const id = raw.mission_id === undefined ? randomUUID() : raw.mission_id;
    const parsed = schema.safeParse({ ...raw, mission_id: id });
    if (!parsed.success) {
      const fields = issuesOf(parsed.error);
      throw new ApiError('E_JOB_INVALID', `${fields.length} invalid field${fields.length === 1 ? '' : 's'}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`, { fields });
    }
    try {
      resolveCategory(parsed.data.params.object_type);
    } catch (e) {
      const err = e as DriftlineError;
      throw new ApiError(err.code, err.message, { fields: [{ field: 'params.object_type', message: err.message }] });
    }
    const job = parsed.data;
    if (!(await insertQueuedMission(pool, job.mission_id, job.params))) {
      throw new ApiError('E_CONFLICT', `mission ${job.mission_id} exists and has not failed; choose another mission_id`);
    }
    try {
      await deps.queue.push([JSON.stringify({ ...raw, mission_id: job.mission_id })]);
    } catch (e) {
      const err = e as DriftlineError;
      await failMission(pool, job.mission_id, { params: job.params, attempts: 0, workerId: 'api', message: `E_QUEUE: not queued: ${err.message}`, code: 'E_QUEUE', token: null }).catch(() => undefined);
      throw err;
    }
    const row = await getMission(pool, job.mission_id);
    if (row === null) throw new DriftlineError('E_INTERNAL', `mission ${job.mission_id} vanished after insert`);
    return reply.status(202).header('location', missionPath(row.id)).send(missionView(row));
  });

  app.get('/missions', async (req) => {
    const q = listQuerySchema.safeParse(req.query);
    if (!q.success) {
      const fields = issuesOf(q.error);
      throw new ApiError('E_REQUEST', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
    }
    const { status, limit, cursor } = q.data;
    const rows = await listMissionsPage(pool, { ...(status ? { status } : {}), limit: limit + 1, ...(cursor ? { after: decodeCursor(cursor) } : {}) });
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { missions: page.map(missionView), next_cursor: rows.length > limit && last ? encodeCursor(last.created_at_us, last.id) : null };
  });

  // Concurrent reads share queries and serialised bodies (status-reads.ts says how and why).
  const bodyCache = new BodyCache();
  const presignHalfLifeMs = config.API_PRESIGN_SECONDS * 500;
  const statusReads = new StatusReads(async (ids) => {
    const found = await getMissionsWithResults(pool, ids);
    const bodies = new Map<string, string | null>();
    const nowMs = Date.now();
    await Promise.all(
      ids.map(async (id) => {
        const f = found.get(id);
        if (f === undefined) {
          bodyCache.delete(id);
          return bodies.set(id, null);
        }
        const cached = bodyCache.get(id, f.version, nowMs);
        if (cached !== undefined) return bodies.set(id, cached);
        const view = missionView(f.mission);
        let body: string;
        // Good until the first of its URLs is due for renewal (PresignCache: at half its lifetime).
        let untilMs = Infinity;
        if (f.results.length > 0) {
          const products = await productViews(deps.presign, id, f.results);
          for (const p of products) untilMs = Math.min(untilMs, Date.parse(p.expires_at) - presignHalfLifeMs);
          body = JSON.stringify({ ...view, products });
        } else {
          body = JSON.stringify(view);
        }
        bodyCache.set(id, f.version, body, untilMs);
        return bodies.set(id, body);
      }),
    );
    return bodies;
  });
  app.get('/missions/:id', async (req, reply) => {
    const id = missionId(req.params);
    const body = await statusReads.get(id);
    if (body === null) throw new ApiError('E_NOT_FOUND', `no mission ${id}`);
    return reply.header('content-type', 'application/json; charset=utf-8').send(body);
  });

  app.get('/missions/:id/products/:kind', async (req, reply: FastifyReply) => {
    const id = missionId(req.params);
    const kind = (req.params as { kind?: string }).kind ?? '';
    const result = (await getMissionResults(pool, id)).find((r) => r.kind === kind);
    if (result === undefined) throw new ApiError('E_NOT_FOUND', `mission ${id} has no product "${kind}"`);
    const { bucket, key } = parseS3Uri(result.uri);
    let body: Readable;
    try {
      const obj = await deps.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      body = obj.Body as Readable;
    } catch (err) {
      throw storageError(`get ${kind}`, err);
    }
    return reply.header('content-type', result.content_type).header('content-length', String(result.bytes)).header('cache-control', 'private, max-age=300').send(body);
  });

  app.get('/missions/:id/particles.json', async (req) => {
    const id = missionId(req.params);
    const trajectory = (await getMissionResults(pool, id)).find((r) => r.kind === 'trajectory');
    if (trajectory === undefined) throw new ApiError('E_NOT_FOUND', `mission ${id} has no trajectory (yet)`);
    return readMapParticles(deps.s3, trajectory.uri);
  });

  app.get('/missions/:id/density.json', async (req) => {
    const id = missionId(req.params);
    const q = densityQuerySchema.safeParse(req.query);
    if (!q.success) {
      const fields = issuesOf(q.error);
      throw new ApiError('E_REQUEST', fields.map((f) => `${f.field}: ${f.message}`).join('; '), { fields });
    }
    const density = (await getMissionResults(pool, id)).find((r) => r.kind === 'density');
    if (density === undefined) throw new ApiError('E_NOT_FOUND', `mission ${id} has no density product (yet)`);
    return readDensityStep(deps.s3, density.uri, q.data.t);
  });

  app.get('/missions/:id/events', async (req, reply) => {
    const id = missionId(req.params);
    const [state] = await getMissionStates(pool, [id]);
    if (state === undefined) throw new ApiError('E_NOT_FOUND', `no mission ${id}`);
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx buffers responses by default, which would hold events back.
      'x-accel-buffering': 'no',
    });
    // Reconnecting clients wait 2 s (EventSource's default is 3 s).
    reply.raw.write('retry: 2000\n\n');
    deps.events.add(reply.raw, state);
  });

  app.post('/missions/:id/cancel', async (req, reply) => {
    const id = missionId(req.params);
    const row = await cancelMission(pool, id);
    if (row === null) {
      const current = await getMission(pool, id);
      if (current === null) throw new ApiError('E_NOT_FOUND', `no mission ${id}`);
      throw new ApiError('E_CONFLICT', `mission ${id} is ${current.status}; only queued or processing missions can be cancelled`);
    }
    // A worker may listen for a faster stop; the row is the source of truth, so a lost message only
    // costs the worker's next progress write (about a second).
    await deps.redis.publish(`${config.QUEUE_NAME}:cancel`, id).catch((e: Error) => deps.logger.warn({ mission_id: id, err: e.message }, 'cancel publish failed'));
    return reply.status(row.status === 'cancelled' ? 200 : 202).send(missionView(row));
  });

  registerPlanRoute(app, deps);

  app.get('/openapi.json', async () => openapi);

  app.get('/healthz', async (_req, reply) => {
    const timeout = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, rej) => setTimeout(() => rej(new Error('timeout after 1 s')), 1000).unref())]);
    const [pgCheck, redisCheck] = await Promise.allSettled([timeout(pool.query('SELECT 1')), timeout(deps.redis.ping())]);
    const show = (r: PromiseSettledResult<unknown>) => (r.status === 'fulfilled' ? 'ok' : `error: ${(r.reason as Error).message}`);
    const ok = pgCheck.status === 'fulfilled' && redisCheck.status === 'fulfilled';
    return reply.status(ok ? 200 : 503).send({ ok, postgres: show(pgCheck), redis: show(redisCheck), event_streams: deps.events.open });
  });

  app.get('/metrics', async (_req, reply) => reply.header('content-type', deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics()));
}
