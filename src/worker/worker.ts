/**
 * A driftline worker, made of parts: the loop (loop.ts) claims jobs, the handler (handle-job.ts) runs
 * each one through its ports, the lease manager (src/queue/lease.ts) keeps this process's lease and
 * fences its Redis writes, maintenance (maintenance.ts) reaps dead workers, returns orphans and
 * reconciles Redis with PostgreSQL, and typed events (events.ts) feed metrics and /healthz.
 *
 * State: starting → running → draining → stopped.
 *
 * Shutdown (graphile-worker style): stop() stops claiming and lets running missions finish for up to
 * SHUTDOWN_GRACE_SECONDS; a second stop('now') or the end of the grace period aborts them and hands
 * them back to the head of the queue (mission rows back to `queued`, the attempt not counted). If Redis
 * is unreachable at that moment the jobs stay in this worker's processing list and come back when its
 * lease expires: nothing is lost either way.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Config } from '../config.js';
import { asDriftlineError } from '../errors.js';
import { jobLimits } from '../job/schema.js';
import { resolveMission } from '../job/resolve.js';
import type { Logger } from '../logger.js';
import { IdleCollector } from './idle-gc.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import {
  cancelRunningMission,
  claimMission,
  completeMission,
  failMission,
  insertRejectedJob,
  getMissionResults,
  recordAttemptError,
  requeueMission,
  updateMissionProgress,
} from '../db/queries/index.js';
import { attachWorkerMetrics, createWorkerMetrics } from '../metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/server.js';
import { createRedis } from '../queue/connection.js';
import { LeaseManager } from '../queue/lease.js';
import { JobQueue } from '../queue/queue.js';
import { ensureBucket } from '../storage/bucket.js';
import { createS3Client } from '../storage/s3.js';
import { attemptPrefix, deleteObjectsUnder, publishAliases, uploadProducts } from '../storage/upload.js';
import { estimateMission } from '../mission/estimate.js';
import { backoffMs, sleep } from './backoff.js';
import { MemoryBudget, MissionMemory } from './budget.js';
import { WorkerEvents } from './events.js';
import { handleJob, type AttemptClaim, type JobPorts } from './handle-job.js';
import { WorkLoop } from './loop.js';
import { Maintenance } from './maintenance.js';
import type { MissionRunner } from './runner.js';

export interface WorkerOptions {
  config: Config;
  logger: Logger;
  runner: MissionRunner;
}

export type WorkerState = 'starting' | 'running' | 'draining' | 'stopped';

/** One job this process is handling. */
interface ActiveJob {
  raw: string;
  missionId: string | null;
  /** The lease token the job was claimed under: its Redis writes are fenced by it. */
  leaseToken: string;
  claim: AttemptClaim | null;
  startedAt: string;
  progress: number;
  /** Aborted when the lease is lost: the job is someone else's now. */
  superseded: AbortController;
  /** The mission's share of the memory budget once admitted: its estimate, then also its loaded forcing. */
  memory?: MissionMemory;
}

/** The services a started worker talks to; all present once start() has connected. */
interface Services {
  redis: Redis;
  /** A connection for the blocking claim only (a blocked connection serves no one else). */
  blocking: Redis;
  pool: pg.Pool;
  s3: S3Client;
  queue: JobQueue;
}

/** Shutdown steps against a service that may be down wait this long, then leave it to the lease. */
const SHUTDOWN_STEP_TIMEOUT_MS = 5000;

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class Worker {
  readonly workerId: string;
  readonly events = new WorkerEvents();
  metricsPort = -1;

  private readonly config: Config;
  private readonly log: Logger;
  private readonly runner: MissionRunner;
  private state: WorkerState = 'starting';
  private svc: Services | null = null;
  private lease: LeaseManager<ActiveJob> | null = null;
  private maintenance: Maintenance | null = null;
  private server: MetricsServer | null = null;
  private loop: WorkLoop<string> | null = null;
  private readonly active = new Map<number, ActiveJob>();
  /** A full collection once the last mission in flight is done (with --expose-gc). */
  private readonly idleGc: IdleCollector;
  /** Admission control: the estimated peaks of running missions stay within WORKER_MEMORY_MB. */
  private readonly budget: MemoryBudget;
  private seq = 0;
  private bucketReady = false;
  private lastClaimAt: string | null = null;
  private lastError: { at: string; message: string } | null = null;
  /** Aborted by the first stop(): startup waits give up. */
  private readonly stopRequested = new AbortController();
  /** Aborted by the hard stop: running missions are abandoned and handed back. */
  private readonly hardStop = new AbortController();
  private stopping: Promise<void> | null = null;

  constructor(opts: WorkerOptions) {
    this.config = opts.config;
    this.workerId = opts.config.WORKER_ID;
    this.log = opts.logger.child({ worker_id: this.workerId });
    this.idleGc = new IdleCollector(() => this.active.size, this.log);
    this.runner = opts.runner;
    this.budget = new MemoryBudget(opts.config.WORKER_MEMORY_MB * 1024 * 1024);
    this.events.on('error', ({ message }) => (this.lastError = { at: new Date().toISOString(), message }));
    this.events.on('claimed', () => (this.lastClaimAt = new Date().toISOString()));
  }

  /** Connect, migrate, take the lease, and start claiming. Resolves once the worker serves. */
  async start(): Promise<void> {
    const c = this.config;
    if (c.MIGRATE_ON_START) {
      const result = await this.untilUp('migrate', () => migrate(c));
      if (result === null) return;
      if (result.applied.length > 0) this.log.info({ applied: result.applied, schema: result.schema }, 'migrations applied');
    }
    const redis = createRedis(c, 'worker');
    const blocking = createRedis(c, 'worker-blocking');
    for (const conn of [redis, blocking]) {
      conn.on('error', (err: Error) => this.log.warn({ err: err.message }, 'redis connection error; reconnecting'));
    }
    const pool = createPool(c, { applicationName: `driftline-worker:${this.workerId}`, max: c.MAX_CONCURRENT_JOBS + 2, logger: this.log });
    const queue = new JobQueue(redis, c.QUEUE_NAME);
    const svc: Services = { redis, blocking, pool, s3: createS3Client(c), queue };
    this.svc = svc;
    // In the background: S3 being down must not delay claiming (uploads check again anyway).
    void this.ensureBucketOnce().catch((err: Error) => this.log.warn({ err: err.message }, 'results bucket not reachable yet; retrying at first upload'));

    const lease = new LeaseManager<ActiveJob>(queue, this.workerId, {
      leaseMs: c.LEASE_SECONDS * 1000,
      renewEveryMs: c.HEARTBEAT_SECONDS * 1000,
      onLost: (why, jobs) => this.onLeaseLost(why, jobs),
      onLate: (lateMs) =>
        // CPU work on this thread (a huge JSON, product writing) delays the renewal; past the lease,
        // other workers take this worker's jobs. Say so with the number, so LEASE_SECONDS can be sized.
        this.log.warn({ late_ms: lateMs, lease_s: c.LEASE_SECONDS }, 'lease renewal ran late: the event loop was blocked'),
      onError: (err) => {
        const message = asDriftlineError(err).message;
        this.log.warn({ err: message }, 'lease renewal or maintenance failed');
        this.events.emit('error', { message });
      },
      afterRenew: () => this.maintenance?.run() ?? Promise.resolve(),
    });
    this.lease = lease;
    this.maintenance = new Maintenance({
      queue,
      pool,
      workerId: this.workerId,
      leaseToken: () => lease.token,
      owned: () => [...this.active.values()].map((a) => a.raw),
      reconcileIntervalMs: c.RECONCILE_INTERVAL_SECONDS * 1000,
      reconcileGraceSeconds: c.RECONCILE_GRACE_SECONDS,
      logger: this.log,
      onReconciled: (missionIds) => this.events.emit('reconciled', { missionIds }),
    });

    // Take the lease before the first claim, so the reaper never sees our list without one.
    if ((await this.untilUp('take lease', () => lease.start())) === null) return;
    // A previous process with the same WORKER_ID (a restarted container) may have left jobs behind.
    await this.maintenance.returnUnowned();
    if (this.stopRequested.signal.aborted) return;

    const metrics = createWorkerMetrics({ worker_id: this.workerId, queue: c.QUEUE_NAME }, () => queue.lengths(), () => this.active.size);
    attachWorkerMetrics(this.events, metrics);
    this.server = await startMetricsServer({ host: c.METRICS_HOST, port: c.METRICS_PORT, logger: this.log }, metrics.registry, () => this.health());
    this.metricsPort = this.server?.port ?? -1;

    this.loop = new WorkLoop<string>({
      concurrency: c.MAX_CONCURRENT_JOBS,
      fetch: () => queue.claim(blocking, this.workerId, c.POLL_INTERVAL),
      handle: (raw) => this.handle(raw),
      onFetchError: async (err, consecutive) => {
        const delayMs = backoffMs(consecutive, c.RETRY_BASE_MS, c.RETRY_MAX_MS);
        const message = asDriftlineError(err).message;
        this.log.warn({ err: message, retry_in_ms: delayMs }, 'claim failed; retrying');
        this.events.emit('error', { message });
        await sleep(delayMs, this.stopRequested.signal);
        // The claim may have moved a job before the connection broke; hand back what nobody runs.
        await this.maintenance?.returnUnowned().catch((e: Error) => this.log.warn({ err: e.message }, 'returning unowned jobs failed'));
      },
      onHandleError: (err) => {
        const message = (err as Error).message;
        this.log.error({ err: message }, 'job handler crashed');
        this.events.emit('error', { message });
      },
      returnItem: async (raw) => {
        await queue.requeue(this.workerId, lease.token, raw);
      },
    });
    this.loop.start();
    this.state = 'running';
    this.log.info(
      {
        queue: c.QUEUE_NAME,
        concurrency: c.MAX_CONCURRENT_JOBS,
        lease_s: c.LEASE_SECONDS,
        heartbeat_s: c.HEARTBEAT_SECONDS,
        metrics_host: c.METRICS_HOST,
        metrics_port: this.server?.port ?? null,
        schema: c.DATABASE_SCHEMA,
        bucket: c.S3_BUCKET,
      },
      'worker started',
    );
  }

  /**
   * First call: drain (finish running missions within SHUTDOWN_GRACE_SECONDS, then hand back the rest).
   * stop('now'), or a second call with 'now': hand back running missions at once.
   */
  stop(mode: 'drain' | 'now' = 'drain'): Promise<void> {
    if (mode === 'now') this.escalate('immediate stop requested');
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  /** What /healthz shows: the state, the services, what the worker is doing now. */
  health(): { ok: boolean; [k: string]: unknown } {
    const redis = this.svc?.redis.status ?? 'none';
    return {
      ok: this.state === 'running' && redis === 'ready',
      worker_id: this.workerId,
      state: this.state,
      redis,
      last_claim_at: this.lastClaimAt,
      last_error: this.lastError,
      in_flight: [...this.active.values()].map((a) => ({
        mission_id: a.missionId,
        attempt: a.claim?.attempts ?? null,
        started_at: a.startedAt,
        progress: Number(a.progress.toFixed(3)),
      })),
    };
  }

  /** Retry a startup step through outages (PostgreSQL or Redis still starting); null if stopped first. */
  private async untilUp<T>(what: string, fn: () => Promise<T>): Promise<T | null> {
    for (let n = 1; ; n++) {
      if (this.stopRequested.signal.aborted) return null;
      try {
        return await fn();
      } catch (err) {
        const e = asDriftlineError(err);
        if (!e.retryable) throw e;
        const delayMs = backoffMs(n, this.config.RETRY_BASE_MS, this.config.RETRY_MAX_MS);
        this.log.warn({ err: e.message, retry_in_ms: delayMs }, `${what} failed; retrying`);
        await sleep(delayMs, this.stopRequested.signal);
      }
    }
  }

  /** The lease is gone: the reaper gave our jobs to the queue (or another process holds our id). */
  private onLeaseLost(why: 'lost' | 'fenced', jobs: ActiveJob[]): void {
    this.log.error(
      { why, missions: jobs.map((j) => j.missionId), lease_s: this.config.LEASE_SECONDS },
      why === 'lost'
        ? 'lease lost (this worker stalled past LEASE_SECONDS); its missions run elsewhere now: stopping them here'
        : 'another process holds this WORKER_ID\'s lease: stopping every mission and the worker',
    );
    this.events.emit('leaseLost', { why, missionIds: jobs.map((j) => j.missionId) });
    for (const j of jobs) j.superseded.abort(new Error(`lease ${why}`));
    if (why === 'fenced') void this.stop('now');
  }

  private async ensureBucketOnce(): Promise<void> {
    if (this.bucketReady || !this.svc) return;
    if (await ensureBucket(this.svc.s3, this.config.S3_BUCKET)) this.log.info({ bucket: this.config.S3_BUCKET }, 'created the results bucket');
    this.bucketReady = true;
  }

  /** A work directory of one handler run: two copies of one mission in this process never share one. */
  private workDirOf(missionId: string, runKey: string): string {
    return path.join(this.config.WORK_DIR, `driftline-${this.workerId.replace(/[^A-Za-z0-9._-]/g, '_')}`, missionId, runKey);
  }

  private ports(svc: Services, entry: ActiveJob, workDir: () => string): JobPorts {
    const c = this.config;
    const { pool, queue, s3 } = svc;
    const workerId = this.workerId;
    const bucket = c.S3_BUCKET;
    return {
      claim: async (job) => {
        const nonce = randomBytes(4).toString('hex');
        let r = await claimMission(pool, job.mission_id, job.params, workerId, nonce, c.LEASE_SECONDS);
        // The holder's list no longer has a job of the mission (beyond the copy we just claimed, when the
        // holder is this worker id): the reaper gave it to us. Take the mission over.
        if (typeof r !== 'string' && 'busyWith' in r && r.busyWith !== null && (await queue.holds(r.busyWith, job.mission_id)) <= (r.busyWith === workerId ? 1 : 0)) {
          r = await claimMission(pool, job.mission_id, job.params, workerId, nonce, c.LEASE_SECONDS, r.busyWith);
        }
        if (typeof r === 'string' || 'busyWith' in r) return r;
        return { ...r, attemptKey: `a${r.attempts}-${nonce}` };
      },
      progress: (missionId, token, fraction) => updateMissionProgress(pool, missionId, token, fraction),
      run: async (job, ctx) => {
        // Resolved here, inside the attempt: a job the environment cannot serve (no forcing with
        // FORCING_FALLBACK=fail) fails as the mission's error, as a failure inside the pipeline does.
        const spec = resolveMission(job, c);
        const dir = workDir();
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir, { recursive: true });
        // runMission binds mission_id to its own lines (src/mission/run.ts); giving it the mission's
        // child logger would print the key twice.
        return this.runner.run(spec, {
          config: c,
          logger: this.log,
          workDir: dir,
          s3,
          onProgress: ctx.onProgress,
          signal: ctx.signal,
          // Per attempt: a retry loads the forcing again, and its bytes replace the previous ones.
          onForcingMemory: (bytes) => entry.memory?.setForcing(bytes),
        });
      },
      upload: async (missionId, attemptKey, outcome, signal) => {
        await this.ensureBucketOnce();
        return uploadProducts(s3, bucket, attemptPrefix(missionId, attemptKey), outcome.products, { signal });
      },
      complete: (missionId, token, stored, outcome) =>
        completeMission(pool, missionId, token, stored, { warnings: outcome.warnings, timingsMs: outcome.timingsMs, particleSteps: outcome.particleSteps }),
      discard: async (missionId, attemptKey) => {
        await deleteObjectsUnder(s3, bucket, attemptPrefix(missionId, attemptKey));
      },
      publish: async (missionId, given) => {
        const stored = given ?? (await getMissionResults(pool, missionId)).map((r) => ({ uri: r.uri, contentType: r.content_type }));
        if (stored.length === 0) return; // nothing recorded: nothing to alias, and nothing to judge leftovers by
        const aliases = await publishAliases(s3, bucket, missionId, stored);
        const keep = new Set([...aliases, ...stored.map((p) => p.uri.slice(`s3://${bucket}/`.length))]);
        await deleteObjectsUnder(s3, bucket, missionId, keep);
      },
      fail: (missionId, record) => failMission(pool, missionId, record),
      reject: (record) => insertRejectedJob(pool, record),
      cancelled: (missionId, token) => cancelRunningMission(pool, missionId, token),
      noteRetry: (missionId, token, err) => recordAttemptError(pool, missionId, token, `attempt failed, retrying: ${err.toString()}`, err.code),
      ack: () => queue.ack(workerId, entry.leaseToken, entry.raw),
      deadLetter: (letter) => queue.deadLetter(workerId, entry.leaseToken, entry.raw, letter),
    };
  }

  private async handle(raw: string): Promise<void> {
    const svc = this.svc;
    const lease = this.lease;
    if (svc === null || lease === null) throw new Error('worker not started');
    const c = this.config;
    const id = ++this.seq;
    const runKey = `${id}-${randomBytes(3).toString('hex')}`;
    const entry: ActiveJob = {
      raw,
      missionId: null,
      leaseToken: lease.token,
      claim: null,
      startedAt: new Date().toISOString(),
      progress: 0,
      superseded: new AbortController(),
    };
    this.active.set(id, entry);
    lease.track(id, entry);
    this.events.emit('claimed', { missionId: null });
    const workDir = () => this.workDirOf(entry.missionId ?? 'unknown', runKey);
    try {
      const r = await handleJob(this.ports(svc, entry, workDir), {
        raw,
        workerId: this.workerId,
        maxAttempts: c.MAX_ATTEMPTS,
        retryBaseMs: c.RETRY_BASE_MS,
        retryMaxMs: c.RETRY_MAX_MS,
        storageRetryMs: c.STORAGE_RETRY_SECONDS * 1000,
        progressIntervalMs: c.PROGRESS_INTERVAL_SECONDS * 1000,
        limits: jobLimits(c),
        logger: this.log,
        signal: this.hardStop.signal,
        superseded: entry.superseded.signal,
        admit: async (job, signal) => {
          const bytes = estimateMission(job.params).memoryBytes;
          if (bytes + this.budget.inUseBytes > this.budget.totalBytes) {
            this.log.info({ mission_id: job.mission_id, estimate_mb: Math.round(bytes / 2 ** 20), in_use_mb: Math.round(this.budget.inUseBytes / 2 ** 20) }, 'mission waits for memory (WORKER_MEMORY_MB)');
          }
          entry.memory = new MissionMemory(this.budget, await this.budget.acquire(bytes, signal));
          return entry.memory.release;
        },
        onMissionId: (missionId) => (entry.missionId = missionId),
        onAttempt: (claim) => {
          entry.claim = claim;
          if (entry.missionId !== null) this.events.emit('started', { missionId: entry.missionId, attempt: claim.attempts });
        },
        onRetry: (err) => entry.missionId !== null && this.events.emit('retried', { missionId: entry.missionId, code: err.code }),
        onProgress: (fraction) => (entry.progress = fraction),
      });
      switch (r.result) {
        case 'completed':
          this.events.emit('completed', { missionId: r.missionId, durationSec: r.durationSec });
          break;
        case 'failed':
          this.events.emit('failed', { missionId: r.missionId, code: r.code });
          break;
        case 'cancelled':
          this.events.emit('cancelled', { missionId: r.missionId });
          break;
        case 'duplicate':
          this.events.emit('superseded', { missionId: r.missionId, why: 'duplicate' });
          break;
        case 'superseded':
          this.events.emit('superseded', { missionId: r.missionId, why: r.why });
          break;
        case 'interrupted':
          break; // handed back by shutdown (returnActive), which emits 'returned'
      }
    } finally {
      // On a hard stop the entry stays until shutdown has handed the job back.
      if (!this.hardStop.signal.aborted) {
        this.active.delete(id);
        lease.untrack(id);
        if (entry.missionId !== null) await rm(workDir(), { recursive: true, force: true }).catch(() => undefined);
        this.idleGc.missionEnded();
      }
    }
  }

  private escalate(reason: string): void {
    if (this.hardStop.signal.aborted) return;
    this.stopRequested.abort();
    if (this.active.size > 0) this.log.warn({ reason, in_flight: this.active.size }, 'handing running missions back to the queue');
    this.hardStop.abort(new Error(reason));
  }

  private async shutdown(): Promise<void> {
    const c = this.config;
    this.stopRequested.abort();
    this.state = 'draining';
    this.log.info({ in_flight: this.active.size, grace_s: c.SHUTDOWN_GRACE_SECONDS }, 'stopping: no new jobs; running missions may finish');
    const loopStopped = this.loop?.stop() ?? Promise.resolve();
    // Interrupt the blocking claim now rather than after POLL_INTERVAL; a job moved at this instant
    // stays in our list and is handed back below.
    this.svc?.blocking.disconnect();
    const grace = setTimeout(() => this.escalate('grace period over'), c.SHUTDOWN_GRACE_SECONDS * 1000);
    const aborted = new Promise<void>((resolve) => {
      if (this.hardStop.signal.aborted) resolve();
      else this.hardStop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([loopStopped.then(() => this.loop?.idle()), aborted]);
    clearTimeout(grace);

    try {
      if (this.hardStop.signal.aborted) await this.returnActive();
      if (this.svc && this.maintenance) {
        this.active.clear();
        await withTimeout(this.maintenance.returnUnowned(), SHUTDOWN_STEP_TIMEOUT_MS, 'hand back leftovers');
        const left = await withTimeout(this.svc.queue.processingJobs(this.workerId), SHUTDOWN_STEP_TIMEOUT_MS, 'check processing list');
        if (left.length === 0) await withTimeout(this.svc.queue.unregister(this.workerId), SHUTDOWN_STEP_TIMEOUT_MS, 'unregister');
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not hand back every job; they return when this worker\'s lease expires');
    }
    await this.close();
    this.state = 'stopped';
    this.log.info('worker stopped');
  }

  /** Give every running mission back: Redis first (what matters), then its row, each fenced. */
  private async returnActive(): Promise<void> {
    const svc = this.svc;
    if (svc === null) return;
    for (const a of this.active.values()) {
      try {
        const moved = await withTimeout(svc.queue.requeue(this.workerId, a.leaseToken, a.raw), SHUTDOWN_STEP_TIMEOUT_MS, 'requeue');
        if (a.missionId !== null && a.claim !== null) {
          await withTimeout(
            requeueMission(svc.pool, a.missionId, a.claim.token, 'E_CANCELLED: the worker stopped before the mission finished; returned to the queue'),
            SHUTDOWN_STEP_TIMEOUT_MS,
            'requeue mission row',
          ).catch((err: Error) => this.log.warn({ mission_id: a.missionId, err: err.message }, 'mission row not reset; the next claim resets it'));
        }
        this.events.emit('returned', { missionId: a.missionId });
        this.log.warn({ mission_id: a.missionId, returned: moved }, 'mission handed back to the queue');
      } catch (err) {
        this.log.warn({ mission_id: a.missionId, err: (err as Error).message }, 'could not hand back; the lease expiry will');
      }
    }
  }

  /** Close everything, every step even if one throws (idempotent). */
  private async close(): Promise<void> {
    this.lease?.close();
    const svc = this.svc;
    const steps: Array<[string, () => Promise<unknown> | unknown]> = [
      ['metrics server', () => this.server?.close()],
      ['redis', () => svc?.redis.disconnect()],
      ['redis (claims)', () => svc?.blocking.disconnect()],
      ['postgresql', () => (svc ? withTimeout(svc.pool.end(), SHUTDOWN_STEP_TIMEOUT_MS, 'pool end') : undefined)],
      ['s3', () => svc?.s3.destroy()],
      ['mission runner', () => this.runner.close()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, `closing ${name} failed`);
      }
    }
    this.server = null;
    this.svc = null;
  }
}
