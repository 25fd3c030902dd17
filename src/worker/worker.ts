/**
 * A driftline worker: wires the loop (loop.ts) and the job handler (handle-job.ts) to Redis,
 * PostgreSQL, S3 and the mission pipeline, keeps the lease alive, reaps dead workers' jobs, serves
 * /healthz and /metrics, and shuts down in two stages.
 *
 * Shutdown (graphile-worker style): stop() stops claiming and lets running missions finish for up to
 * SHUTDOWN_GRACE_SECONDS; a second stop('now') or the end of the grace period aborts them and hands
 * them back to the head of the queue (mission rows back to `queued`, the attempt not counted). If Redis
 * is unreachable at that moment the jobs stay in this worker's processing list and come back when its
 * lease expires: nothing is lost either way.
 */
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Config } from '../config.js';
import { asDriftlineError } from '../errors.js';
import { jobLimits } from '../job.js';
import type { Logger } from '../logger.js';
import { migrate } from '../db/migrate.js';
import { createPool } from '../db/pool.js';
import {
  claimMission,
  completeMission,
  failMission,
  insertRejectedJob,
  recordAttemptError,
  requeueMission,
  updateMissionProgress,
} from '../db/queries/index.js';
import { createWorkerMetrics, type WorkerMetrics } from '../metrics/metrics.js';
import { startMetricsServer, type MetricsServer } from '../metrics/server.js';
import { createRedis } from '../queue/connection.js';
import { JobQueue } from '../queue/queue.js';
import { ensureBucket } from '../storage/bucket.js';
import { createS3Client } from '../storage/s3.js';
import { uploadProducts } from '../storage/upload.js';
import { backoffMs, sleep } from './backoff.js';
import { handleJob, type JobPorts } from './handle-job.js';
import { WorkLoop } from './loop.js';
import type { MissionRunner } from './runner.js';

export interface WorkerOptions {
  config: Config;
  logger: Logger;
  runMission: MissionRunner;
}

interface ActiveJob {
  raw: string;
  missionId: string | null;
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
  metricsPort = -1;
  private readonly config: Config;
  private readonly log: Logger;
  private readonly runMission: MissionRunner;
  private redis: Redis | null = null;
  private blocking: Redis | null = null;
  private pool: pg.Pool | null = null;
  private s3: S3Client | null = null;
  private queue: JobQueue | null = null;
  private metrics: WorkerMetrics | null = null;
  private server: MetricsServer | null = null;
  private loop: WorkLoop<string> | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly active = new Map<number, ActiveJob>();
  private seq = 0;
  private bucketReady = false;
  /** Aborted by the first stop(): startup waits give up. */
  private readonly stopRequested = new AbortController();
  /** Aborted by the hard stop: running missions are abandoned and handed back. */
  private readonly hardStop = new AbortController();
  private stopping: Promise<void> | null = null;

  constructor(opts: WorkerOptions) {
    this.config = opts.config;
    this.workerId = opts.config.WORKER_ID;
    this.log = opts.logger.child({ worker_id: this.workerId });
    this.runMission = opts.runMission;
  }

  /** Connect, migrate, register, and start claiming. Resolves once the worker serves. */
  async start(): Promise<void> {
    const c = this.config;
    if (c.MIGRATE_ON_START) {
      const result = await this.untilUp('migrate', () => migrate(c));
      if (result === null) return;
      if (result.applied.length > 0) this.log.info({ applied: result.applied, schema: result.schema }, 'migrations applied');
    }
    this.redis = createRedis(c, 'worker');
    this.blocking = createRedis(c, 'worker-blocking');
    for (const conn of [this.redis, this.blocking]) {
      conn.on('error', (err: Error) => this.log.warn({ err: err.message }, 'redis connection error; reconnecting'));
    }
    this.pool = createPool(c, { applicationName: `driftline-worker:${this.workerId}`, max: c.MAX_CONCURRENT_JOBS + 2, logger: this.log });
    this.s3 = createS3Client(c);
    this.queue = new JobQueue(this.redis, c.QUEUE_NAME);
    const queue = this.queue;
    // In the background: S3 being down must not delay claiming (uploads check again anyway).
    void this.ensureBucketOnce().catch((err: Error) => this.log.warn({ err: err.message }, 'results bucket not reachable yet; retrying at first upload'));

    // Register with a live lease before the first claim, so the reaper never sees our list without one.
    if ((await this.untilUp('register', () => queue.heartbeat(this.workerId, c.LEASE_SECONDS * 1000))) === null) return;
    // A previous process with the same WORKER_ID (a restarted container) may have left jobs behind.
    await this.reconcile();
    if (this.stopRequested.signal.aborted) return;

    this.metrics = createWorkerMetrics({ worker_id: this.workerId, queue: c.QUEUE_NAME }, () => queue.lengths());
    this.server = await startMetricsServer(c.METRICS_PORT, this.metrics.registry, () => this.health());
    this.metricsPort = this.server.port;
    this.heartbeatTimer = setInterval(() => void this.beat(), c.HEARTBEAT_SECONDS * 1000);

    const blocking = this.blocking;
    this.loop = new WorkLoop<string>({
      concurrency: c.MAX_CONCURRENT_JOBS,
      fetch: () => queue.claim(blocking, this.workerId, c.POLL_INTERVAL),
      handle: (raw) => this.handle(raw),
      onFetchError: async (err, consecutive) => {
        const delayMs = backoffMs(consecutive, c.RETRY_BASE_MS, c.RETRY_MAX_MS);
        this.log.warn({ err: asDriftlineError(err).message, retry_in_ms: delayMs }, 'claim failed; retrying');
        await sleep(delayMs, this.stopRequested.signal);
        // The claim may have moved a job before the connection broke; hand back what nobody runs.
        await this.reconcile().catch((e: Error) => this.log.warn({ err: e.message }, 'reconcile failed'));
      },
      onHandleError: (err) => this.log.error({ err: (err as Error).message }, 'job handler crashed'),
      returnItem: async (raw) => {
        await queue.requeue(this.workerId, raw);
      },
    });
    this.loop.start();
    this.log.info(
      {
        queue: c.QUEUE_NAME,
        concurrency: c.MAX_CONCURRENT_JOBS,
        lease_s: c.LEASE_SECONDS,
        heartbeat_s: c.HEARTBEAT_SECONDS,
        metrics_port: this.metricsPort,
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

  private health(): { ok: boolean; [k: string]: unknown } {
    const redis = this.redis?.status ?? 'none';
    const stopping = this.stopping !== null;
    return { ok: !stopping && redis === 'ready', worker_id: this.workerId, redis, stopping, in_flight: this.active.size };
  }

  private beating = false;
  private lastBeatAt = 0;

  /** Renew the lease; return the jobs of workers whose lease expired. */
  private async beat(): Promise<void> {
    if (this.beating || !this.queue) return;
    this.beating = true;
    const now = Date.now();
    const lateMs = this.lastBeatAt === 0 ? 0 : now - this.lastBeatAt - this.config.HEARTBEAT_SECONDS * 1000;
    this.lastBeatAt = now;
    if (lateMs > (this.config.LEASE_SECONDS * 1000) / 4) {
      // CPU work on this thread (product writers, a huge JSON) delays the heartbeat; past the lease,
      // other workers take this worker's jobs. Say so with the number, so LEASE_SECONDS can be sized.
      this.log.warn({ late_ms: lateMs, lease_s: this.config.LEASE_SECONDS }, 'heartbeat ran late: the event loop was blocked');
    }
    try {
      const alive = await this.queue.heartbeat(this.workerId, this.config.LEASE_SECONDS * 1000);
      if (!alive) {
        this.log.warn({ in_flight: this.active.size }, 'lease had lapsed (worker stalled?); its jobs may run again elsewhere, harmlessly');
      }
      await this.sweepOrphans();
      for (const r of await this.queue.reapExpired(this.workerId)) {
        this.log.warn({ dead_worker: r.workerId, jobs: r.moved }, 'lease of a dead worker expired; its jobs are back in the queue');
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  /** Jobs in our processing list that no handler owns, as seen at the previous heartbeat. */
  private suspects = new Set<string>();

  /**
   * Safety net for a claim whose reply never arrived (connection cut between Redis moving the job and
   * us reading the reply): a job that sits unowned in our list for two heartbeats in a row is handed
   * back. A claim in progress owns its job within the same tick its reply arrives, so it never looks
   * unowned for a whole heartbeat interval.
   */
  private async sweepOrphans(): Promise<void> {
    if (!this.queue) return;
    const unowned = new Set(this.unowned(await this.queue.processingJobs(this.workerId)));
    for (const raw of unowned) {
      if (this.suspects.has(raw) && this.unowned([raw]).length === 1 && (await this.queue.requeue(this.workerId, raw))) {
        this.log.warn('returned an orphaned job (claim reply lost) from this worker\'s processing list to the queue');
        unowned.delete(raw);
      }
    }
    this.suspects = unowned;
  }

  /** The entries of `list` that no running handler accounts for (multiset difference). */
  private unowned(list: string[]): string[] {
    const owned = new Map<string, number>();
    for (const a of this.active.values()) owned.set(a.raw, (owned.get(a.raw) ?? 0) + 1);
    return list.filter((raw) => {
      const n = owned.get(raw) ?? 0;
      if (n > 0) owned.set(raw, n - 1);
      return n === 0;
    });
  }

  /**
   * Hand back every job in our processing list that no handler owns (a claim whose reply was lost,
   * or leftovers of a previous process with this WORKER_ID). Only called when no claim is in flight.
   */
  private async reconcile(): Promise<number> {
    if (!this.queue) return 0;
    let returned = 0;
    for (const raw of this.unowned(await this.queue.processingJobs(this.workerId))) {
      if (await this.queue.requeue(this.workerId, raw)) returned++;
    }
    if (returned > 0) this.log.warn({ jobs: returned }, 'returned unowned jobs from this worker\'s processing list to the queue');
    return returned;
  }

  private async ensureBucketOnce(): Promise<void> {
    if (this.bucketReady || !this.s3) return;
    if (await ensureBucket(this.s3, this.config.S3_BUCKET)) this.log.info({ bucket: this.config.S3_BUCKET }, 'created the results bucket');
    this.bucketReady = true;
  }

  private workDirOf(missionId: string): string {
    return path.join(this.config.WORK_DIR, `driftline-${this.workerId.replace(/[^A-Za-z0-9._-]/g, '_')}`, missionId);
  }

  private ports(raw: string): JobPorts {
    const c = this.config;
    const pool = this.pool!;
    const queue = this.queue!;
    const s3 = this.s3!;
    const workerId = this.workerId;
    return {
      claim: (job) => claimMission(pool, job.mission_id, job.params, workerId),
      progress: (missionId, fraction) => updateMissionProgress(pool, missionId, workerId, fraction),
      run: async (job, ctx) => {
        const workDir = this.workDirOf(job.mission_id);
        await rm(workDir, { recursive: true, force: true });
        await mkdir(workDir, { recursive: true });
        // runMission binds mission_id to its own lines (src/mission/run.ts); giving it the mission's
        // child logger would print the key twice.
        return this.runMission(job, { config: c, logger: this.log, workDir, s3, onProgress: ctx.onProgress, signal: ctx.signal });
      },
      upload: async (missionId, outcome, signal) => {
        await this.ensureBucketOnce();
        return uploadProducts(s3, c.S3_BUCKET, missionId, outcome.products, { signal });
      },
      complete: (missionId, stored, outcome) =>
        completeMission(pool, missionId, stored, { warnings: outcome.warnings, timingsMs: outcome.timingsMs, particleSteps: outcome.particleSteps }),
      fail: (missionId, record) => failMission(pool, missionId, record),
      reject: (record) => insertRejectedJob(pool, record),
      noteRetry: (missionId, err) => recordAttemptError(pool, missionId, workerId, `attempt failed, retrying: ${err.toString()}`, err.code),
      ack: () => queue.ack(workerId, raw),
      deadLetter: (letter) => queue.deadLetter(workerId, raw, letter),
    };
  }

  private async handle(raw: string): Promise<void> {
    const c = this.config;
    const id = ++this.seq;
    const entry: ActiveJob = { raw, missionId: null };
    this.active.set(id, entry);
    this.metrics?.inFlight.inc();
    try {
      const r = await handleJob(this.ports(raw), {
        raw,
        workerId: this.workerId,
        maxAttempts: c.MAX_ATTEMPTS,
        retryBaseMs: c.RETRY_BASE_MS,
        retryMaxMs: c.RETRY_MAX_MS,
        progressIntervalMs: c.PROGRESS_INTERVAL_SECONDS * 1000,
        limits: jobLimits(c),
        logger: this.log,
        signal: this.hardStop.signal,
        onMissionId: (missionId) => (entry.missionId = missionId),
        onRetry: (err) => this.metrics?.missionsRetried.inc({ code: err.code }),
      });
      if (r.result === 'completed') {
        this.metrics?.missionsCompleted.inc();
        this.metrics?.missionDurationSeconds.observe(r.durationSec);
      } else if (r.result === 'failed') {
        this.metrics?.missionsFailed.inc({ code: r.code });
      }
    } finally {
      // On a hard stop the entry stays until shutdown has handed the job back.
      if (!this.hardStop.signal.aborted) this.active.delete(id);
      this.metrics?.inFlight.dec();
      if (entry.missionId !== null && !this.hardStop.signal.aborted) {
        await rm(this.workDirOf(entry.missionId), { recursive: true, force: true }).catch(() => undefined);
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
    this.log.info({ in_flight: this.active.size, grace_s: c.SHUTDOWN_GRACE_SECONDS }, 'stopping: no new jobs; running missions may finish');
    const loopStopped = this.loop?.stop() ?? Promise.resolve();
    // Interrupt the blocking claim now rather than after POLL_INTERVAL; a job moved at this instant
    // stays in our list and is handed back below.
    this.blocking?.disconnect();
    const grace = setTimeout(() => this.escalate('grace period over'), c.SHUTDOWN_GRACE_SECONDS * 1000);
    const aborted = new Promise<void>((resolve) => {
      if (this.hardStop.signal.aborted) resolve();
      else this.hardStop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await Promise.race([loopStopped.then(() => this.loop?.idle()), aborted]);
    clearTimeout(grace);

    try {
      if (this.hardStop.signal.aborted) await this.returnActive();
      if (this.queue) {
        this.active.clear();
        await withTimeout(this.reconcile(), SHUTDOWN_STEP_TIMEOUT_MS, 'hand back leftovers');
        const left = await withTimeout(this.queue.processingJobs(this.workerId), SHUTDOWN_STEP_TIMEOUT_MS, 'check processing list');
        if (left.length === 0) await withTimeout(this.queue.unregister(this.workerId), SHUTDOWN_STEP_TIMEOUT_MS, 'unregister');
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not hand back every job; they return when this worker\'s lease expires');
    }
    await this.close();
    this.log.info('worker stopped');
  }

  /** Give every running mission back: Redis first (what matters), then its row. */
  private async returnActive(): Promise<void> {
    for (const a of this.active.values()) {
      try {
        const moved = this.queue ? await withTimeout(this.queue.requeue(this.workerId, a.raw), SHUTDOWN_STEP_TIMEOUT_MS, 'requeue') : false;
        if (a.missionId !== null && this.pool) {
          await withTimeout(
            requeueMission(this.pool, a.missionId, this.workerId, 'E_CANCELLED: the worker stopped before the mission finished; returned to the queue'),
            SHUTDOWN_STEP_TIMEOUT_MS,
            'requeue mission row',
          ).catch((err: Error) => this.log.warn({ mission_id: a.missionId, err: err.message }, 'mission row not reset; the next claim resets it'));
        }
        this.metrics?.missionsReturned.inc();
        this.log.warn({ mission_id: a.missionId, returned: moved }, 'mission handed back to the queue');
      } catch (err) {
        this.log.warn({ mission_id: a.missionId, err: (err as Error).message }, 'could not hand back; the lease expiry will');
      }
    }
  }

  /** Close everything, every step even if one throws (idempotent). */
  private async close(): Promise<void> {
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
    const steps: Array<[string, () => Promise<unknown> | unknown]> = [
      ['metrics server', () => this.server?.close()],
      ['redis', () => this.redis?.disconnect()],
      ['redis (claims)', () => this.blocking?.disconnect()],
      ['postgresql', () => (this.pool ? withTimeout(this.pool.end(), SHUTDOWN_STEP_TIMEOUT_MS, 'pool end') : undefined)],
      ['s3', () => this.s3?.destroy()],
      // The simulation threads live for the process (src/threads/pool.ts); stop them so the process can exit.
      ['simulation threads', async () => (await import('../threads/pool.js')).closeSimulationPool()],
      ['mission threads', async () => (await import('../threads/mission-pool.js')).closeMissionThreads()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, `closing ${name} failed`);
      }
    }
    this.server = null;
    this.pool = null;
  }
}
