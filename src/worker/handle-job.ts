/**
 * One claimed job, start to finish: parse, validate, attempts with backoff, upload, record, ack.
 * Like the loop, it knows no SQL, Redis or S3: every effect is a function in `JobPorts`.
 *
 * Two kinds of retry, on purpose:
 *  - A mission attempt (run the pipeline, upload its products) that fails with a retryable error
 *    (S3, forcing download, PostgreSQL while starting the attempt) is retried with exponential
 *    backoff, up to MAX_ATTEMPTS attempts; then the mission fails for good. A failed upload re-uses
 *    the products already made: only the upload is repeated, not the simulation.
 *  - Bookkeeping (recording completion or failure in PostgreSQL, ack/dead-letter in Redis) is retried
 *    with the same backoff for as long as the worker runs: the job may only leave the processing list
 *    once its row is final, so a PostgreSQL or Redis restart costs time, never a mission.
 * A hard stop (second signal, grace period over) aborts `signal`; the handler then returns
 * 'interrupted' and leaves the job to the caller, which hands it back to the queue.
 */
import { performance } from 'node:perf_hooks';
import { DriftlineError, asDriftlineError } from '../errors.js';
import { isMissionId, missionIdOf, missionIdProblem, parseJobValue, validateJob, type Job, type JobLimits } from '../job.js';
import { JOB_CAPS, leadingMissionId, replaceUnstorable, sanitiseJobText } from '../job-guard.js';
import type { Logger } from '../logger.js';
import type { ClaimResult, FailureRecord, RejectedJobRecord, StoredResult } from '../db/queries/index.js';
import type { MissionOutcome, MissionProgress } from '../mission/types.js';
import type { DeadLetter } from '../queue/queue.js';
import { backoffMs, sleep } from './backoff.js';

export interface JobPorts {
  /** PostgreSQL: start an attempt (row -> processing, attempts + 1). */
  claim(job: Job): Promise<ClaimResult>;
  /** PostgreSQL: progress + heartbeat_at (best effort). */
  progress(missionId: string, fraction: number): Promise<void>;
  /** The mission pipeline: product files in a work directory. */
  run(job: Job, ctx: { signal: AbortSignal; onProgress: (p: MissionProgress) => void; logger: Logger }): Promise<MissionOutcome>;
  /** S3: upload the products under fixed keys. */
  upload(missionId: string, outcome: MissionOutcome, signal: AbortSignal): Promise<StoredResult[]>;
  /** PostgreSQL: results + `completed`, one transaction. */
  complete(missionId: string, stored: StoredResult[], outcome: MissionOutcome): Promise<void>;
  /** PostgreSQL: `failed` with the reason (and the sanitised raw job when it never validated). */
  fail(missionId: string, record: FailureRecord): Promise<void>;
  /** PostgreSQL: a job with no usable mission_id (rejected_jobs, sql/004). */
  reject(record: RejectedJobRecord): Promise<void>;
  /** PostgreSQL: the error of an attempt that will be retried (best effort). */
  noteRetry(missionId: string, err: DriftlineError): Promise<void>;
  /** Redis: remove from the processing list; false when it was no longer there. */
  ack(): Promise<boolean>;
  /** Redis: processing list -> dead letters; false when it was no longer there. */
  deadLetter(letter: DeadLetter): Promise<boolean>;
}

export interface HandleOptions {
  raw: string;
  workerId: string;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  progressIntervalMs: number;
  limits: JobLimits;
  logger: Logger;
  /** Hard stop: abandon the job (the caller returns it to the queue). */
  signal: AbortSignal;
  onRetry?: (err: DriftlineError) => void;
  /** Called once the mission id is known, so the caller can hand the mission back on a hard stop. */
  onMissionId?: (missionId: string) => void;
}

export type JobResult =
  | { result: 'completed'; missionId: string; durationSec: number }
  | { result: 'failed'; missionId: string | null; code: string }
  | { result: 'duplicate'; missionId: string }
  | { result: 'interrupted'; missionId: string | null };

class Interrupted extends Error {}

const RAW_LOG_CHARS = 200;
/**
 * Characters of a failed job's text kept in PostgreSQL (missions.raw_job, rejected_jobs.raw_job) and in
 * the dead letter of a job over MAX_JOB_BYTES: a real job is under 2 KB, 16 KiB shows plenty of a
 * hostile one.
 */
export const RAW_JOB_KEEP_CHARS = 16 * 1024;

export async function handleJob(ports: JobPorts, opts: HandleOptions): Promise<JobResult> {
  let missionId: string | null = null;
  try {
    return await handle(ports, opts, (id) => {
      missionId = id;
      opts.onMissionId?.(id);
    });
  } catch (err) {
    if (err instanceof Interrupted || opts.signal.aborted) return { result: 'interrupted', missionId };
    throw err;
  }
}

async function handle(ports: JobPorts, opts: HandleOptions, setMissionId: (id: string) => void): Promise<JobResult> {
  const { raw, signal } = opts;
  /** Bookkeeping: retry retryable errors until they succeed or the worker stops hard. */
  const persist = async <T>(what: string, fn: () => Promise<T>, log: Logger): Promise<T> => {
    for (let n = 1; ; n++) {
      if (signal.aborted) throw new Interrupted();
      try {
        return await fn();
      } catch (err) {
        const e = asDriftlineError(err);
        if (!e.retryable) throw e;
        const delayMs = backoffMs(n, opts.retryBaseMs, opts.retryMaxMs);
        log.warn({ code: e.code, err: e.message, retry_in_ms: delayMs, tries: n }, `${what} failed; retrying`);
        if (!(await sleep(delayMs, signal))) throw new Interrupted();
      }
    }
  };
  // A job over the size cap can never validate: its dead letter keeps a truncated copy instead of up
  // to 512 MB in Redis (`driftline retry` of it fails again, as it would anyway).
  const letterRaw = Buffer.byteLength(raw, 'utf8') > JOB_CAPS.maxJobBytes ? sanitiseJobText(raw, RAW_JOB_KEEP_CHARS) : raw;
  const letter = (id: string | null, e: DriftlineError, attempts: number): DeadLetter => ({
    mission_id: id,
    raw: letterRaw,
    error: { code: e.code, message: e.message, ...(e.field ? { field: e.field } : {}) },
    attempts,
    worker_id: opts.workerId,
    failed_at: new Date().toISOString(),
  });
  /** A permanent database error (e.g. schema never migrated) is logged: the dead letter still keeps the job. */
  const record = async (what: string, fn: () => Promise<void>, log: Logger): Promise<void> => {
    try {
      await persist(what, fn, log);
    } catch (err) {
      if (err instanceof Interrupted) throw err;
      log.error({ err: (err as Error).message }, `could not ${what} in PostgreSQL; the dead letter keeps the job`);
    }
  };

  // 1. Parse (size and depth are bounded first). A job we cannot attribute to a mission is recorded in
  // rejected_jobs and goes to the dead letters.
  let value: unknown;
  let unreadable: DriftlineError | null = null;
  try {
    value = parseJobValue(raw);
  } catch (err) {
    unreadable = asDriftlineError(err);
  }
  // Unreadable text is still attributed when it opens with a usable mission_id (src/job-guard.ts).
  const missionId = unreadable !== null ? leadingMissionId(raw, isMissionId) : missionIdOf(value);
  if (missionId === undefined) {
    const e = unreadable ?? missionIdProblem(value);
    opts.logger.error({ code: e.code, err: e.message, raw: replaceUnstorable(raw.slice(0, RAW_LOG_CHARS)) }, 'job without a usable mission_id rejected');
    const idValue = unreadable === null && typeof value === 'object' && value !== null ? (value as { mission_id?: unknown }).mission_id : undefined;
    await record(
      'record the rejected job',
      () =>
        ports.reject({
          workerId: opts.workerId,
          code: e.code,
          message: replaceUnstorable(e.toString()),
          field: e.field ?? null,
          missionIdHint: idValue === undefined ? null : sanitiseJobText(typeof idValue === 'string' ? idValue : String(JSON.stringify(idValue)), 200),
          rawBytes: Buffer.byteLength(raw, 'utf8'),
          rawJob: sanitiseJobText(raw, RAW_JOB_KEEP_CHARS),
        }),
      opts.logger,
    );
    await persist('dead-letter', () => ports.deadLetter(letter(null, e, 0)), opts.logger);
    return { result: 'failed', missionId: null, code: e.code };
  }
  setMissionId(missionId);
  const log = opts.logger.child({ mission_id: missionId });
  const rawParams = unreadable === null ? ((value as { params?: unknown }).params ?? {}) : {};

  const failForGood = async (e: DriftlineError, attempts: number): Promise<JobResult> => {
    log.error({ code: e.code, err: e.message, field: e.field, attempts }, 'mission failed');
    await record(
      'record the failure',
      () =>
        ports.fail(missionId, {
          params: rawParams,
          attempts,
          workerId: opts.workerId,
          message: e.toString(),
          code: e.code,
          rawJob: sanitiseJobText(raw, RAW_JOB_KEEP_CHARS),
        }),
      log,
    );
    const moved = await persist('dead-letter', () => ports.deadLetter(letter(missionId, e, attempts)), log);
    if (!moved) log.warn('job was no longer in this worker\'s processing list (lease lapsed); not dead-lettered twice');
    return { result: 'failed', missionId, code: e.code };
  };
  if (unreadable !== null) return failForGood(unreadable, 0);

  // 2. Validate (permanent errors fail at once, naming the field).
  let job: Job;
  try {
    job = validateJob(value, opts.limits);
  } catch (err) {
    return failForGood(asDriftlineError(err), 0);
  }

  // 3. Attempts.
  const t0 = performance.now();
  let outcome: MissionOutcome | null = null;
  for (let attempt = 1; ; attempt++) {
    let fraction = 0;
    let ticker: NodeJS.Timeout | undefined;
    try {
      const claim = await persist('start attempt', () => ports.claim(job), log);
      if (claim === 'already-completed') {
        await persist('ack', () => ports.ack(), log);
        log.info('mission already completed; duplicate job dropped');
        return { result: 'duplicate', missionId };
      }
      // Attempts cut short by workers that died count too (a job that kills its worker is not run forever).
      attempt = Math.max(attempt, claim.attempts);
      if (attempt > opts.maxAttempts) {
        throw new DriftlineError('E_INTERNAL', `gave up after ${attempt - 1} attempts (workers stopped or died during them); MAX_ATTEMPTS is ${opts.maxAttempts}`, {
          retryable: false,
        });
      }
      log.info({ attempt, max_attempts: opts.maxAttempts }, 'mission started');
      ticker = setInterval(() => {
        ports.progress(missionId, fraction).catch((err: Error) => log.debug({ err: err.message }, 'progress update failed'));
      }, opts.progressIntervalMs);
      if (outcome === null) {
        outcome = await ports.run(job, { signal, logger: log, onProgress: (p) => (fraction = p.fraction) });
      } else {
        log.info('re-using the products of the previous attempt; repeating the upload only');
      }
      if (signal.aborted) throw new Interrupted();
      const stored = await ports.upload(missionId, outcome, signal);
      clearInterval(ticker);
      const done = outcome;
      await persist('record completion', () => ports.complete(missionId, stored, done), log);
      const acked = await persist('ack', () => ports.ack(), log);
      if (!acked) log.warn('job was no longer in this worker\'s processing list (lease lapsed); it may run again, harmlessly');
      const durationSec = (performance.now() - t0) / 1000;
      log.info({ duration_s: Number(durationSec.toFixed(3)), products: stored.length, warnings: outcome.warnings.length }, 'mission completed');
      return { result: 'completed', missionId, durationSec };
    } catch (err) {
      if (err instanceof Interrupted || signal.aborted) throw new Interrupted();
      const e = asDriftlineError(err);
      if (!e.retryable || attempt >= opts.maxAttempts) return failForGood(e, attempt);
      const delayMs = backoffMs(attempt, opts.retryBaseMs, opts.retryMaxMs);
      log.warn({ attempt, code: e.code, err: e.message, retry_in_ms: delayMs }, 'attempt failed; retrying');
      opts.onRetry?.(e);
      await ports.noteRetry(missionId, e).catch(() => undefined);
      if (!(await sleep(delayMs, signal))) throw new Interrupted();
    } finally {
      clearInterval(ticker);
    }
  }
}
