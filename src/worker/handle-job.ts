/**
 * One claimed job, start to finish: parse, validate, attempts with backoff, upload, record, ack.
 * Like the loop, it knows no SQL, Redis or S3: every effect is a function in `JobPorts`.
 *
 * Fencing. Each attempt starts with a claim that returns a token; every later write of the attempt
 * (progress, completion, failure, hand-back) carries it and changes nothing once another attempt
 * holds the mission. Products go under an attempt-specific key prefix, and completion publishes them
 * in one transaction, so a fenced-out attempt can never overwrite or publish over the winner.
 *
 * Three kinds of retry, on purpose:
 *  - An upload of products already computed is retried with backoff for up to STORAGE_RETRY_SECONDS
 *    (products stay on disk, the mission stays `processing`, its heartbeat goes on) before the
 *    failure counts as an attempt: a storage outage of minutes costs time, not the mission.
 *  - A mission attempt that fails with a retryable error (forcing download, storage beyond that
 *    window, PostgreSQL while starting) is retried up to MAX_ATTEMPTS; a later attempt re-uses the
 *    products already made and repeats only the upload.
 *  - Bookkeeping (recording completion or failure, ack/dead-letter) is retried for as long as the
 *    worker runs: the job may only leave the processing list once its row is final.
 *
 * Ends: a hard stop (second signal, grace over) aborts `signal` → 'interrupted' (the caller hands the
 * job back). A lost lease or a fenced write aborts the attempt → 'superseded' (another attempt owns
 * the mission; nothing more is written). A cancel request seen in the progress answer → 'cancelled'.
 */
import { performance } from 'node:perf_hooks';
import { DriftlineError, asDriftlineError } from '../errors.js';
import type { Job, JobLimits } from '../job/schema.js';
import { isMissionId, missionIdOf, missionIdProblem, parseJobValue, validateJob } from '../job/validate.js';
import { JOB_CAPS, leadingMissionId, replaceUnstorable, sanitiseJobText } from '../job-guard.js';
import type { Logger } from '../logger.js';
import type { FailureRecord, ProgressAnswer, RejectedJobRecord } from '../db/queries/index.js';
import type { MissionOutcome, MissionProgress } from '../mission/types.js';
import type { DeadLetter, FencedWrite } from '../queue/queue.js';
import type { StoredProduct } from '../storage/upload.js';
import { backoffMs, sleep } from './backoff.js';

/** One attempt's claim on its mission. */
export interface AttemptClaim {
  attempts: number;
  /** Fences the attempt's PostgreSQL writes. */
  token: string;
  /** Names the attempt's S3 key prefix, "a<attempts>-<nonce>". */
  attemptKey: string;
}

export type ClaimAnswer = AttemptClaim | 'already-completed' | 'cancelled' | { busyWith: string | null };

export interface JobPorts {
  /** PostgreSQL: start an attempt (row -> processing, attempts + 1, a new claim token). */
  claim(job: Job): Promise<ClaimAnswer>;
  /** PostgreSQL: progress + heartbeat_at, fenced; the answer says whether a cancel was asked. */
  progress(missionId: string, token: string, fraction: number): Promise<ProgressAnswer>;
  /** The mission pipeline: product files in a work directory. */
  run(job: Job, ctx: { signal: AbortSignal; onProgress: (p: MissionProgress) => void; logger: Logger }): Promise<MissionOutcome>;
  /** S3: upload the products under the attempt's prefix. */
  upload(missionId: string, attemptKey: string, outcome: MissionOutcome, signal: AbortSignal): Promise<StoredProduct[]>;
  /** PostgreSQL: results + `completed`, one transaction, fenced; false when the claim was lost. */
  complete(missionId: string, token: string, stored: StoredProduct[], outcome: MissionOutcome): Promise<boolean>;
  /** S3, best effort: delete this attempt's objects (it was fenced out). */
  discard(missionId: string, attemptKey: string): Promise<void>;
  /**
   * S3, after the completion is recorded and before the ack: fixed-key aliases of the published
   * objects, other attempts' objects deleted. With `stored` null, from the recorded rows (a job of an
   * already completed mission: its first worker may have died between completion and ack).
   */
  publish(missionId: string, stored: StoredProduct[] | null): Promise<void>;
  /** PostgreSQL: `failed` with the reason (fenced when the record has a token; the sanitised raw job when it never validated). */
  fail(missionId: string, record: FailureRecord): Promise<boolean>;
  /** PostgreSQL: a job with no usable mission_id (rejected_jobs, sql/004). */
  reject(record: RejectedJobRecord): Promise<void>;
  /** PostgreSQL: `cancelled` (fenced). */
  cancelled(missionId: string, token: string): Promise<boolean>;
  /** PostgreSQL: the error of an attempt that will be retried (best effort, fenced). */
  noteRetry(missionId: string, token: string, err: DriftlineError): Promise<void>;
  /** Redis: remove from the processing list (fenced by the lease token). */
  ack(): Promise<FencedWrite>;
  /** Redis: processing list -> dead letters (fenced by the lease token). */
  deadLetter(letter: DeadLetter): Promise<FencedWrite>;
}

export interface HandleOptions {
  raw: string;
  workerId: string;
  maxAttempts: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** How long an upload of computed products is retried before the failure counts as an attempt. */
  storageRetryMs: number;
  progressIntervalMs: number;
  limits: JobLimits;
  logger: Logger;
  /** Hard stop: abandon the job (the caller returns it to the queue). */
  signal: AbortSignal;
  /** Aborted by the caller when the worker's lease was lost: the job is someone else's now. */
  superseded?: AbortSignal;
  /**
   * Admission control: resolves (with a release function) once the validated mission fits in the
   * worker's memory budget. The job waits in this worker's processing list meanwhile, its lease alive.
   */
  admit?: (job: Job, signal: AbortSignal) => Promise<() => void>;
  /** Called once the mission id is known. */
  onMissionId?: (missionId: string) => void;
  /** Called when an attempt starts, with its claim (the caller needs the token to hand it back). */
  onAttempt?: (claim: AttemptClaim) => void;
  onRetry?: (err: DriftlineError) => void;
  onProgress?: (fraction: number) => void;
}

export type JobResult =
  | { result: 'completed'; missionId: string; durationSec: number }
  | { result: 'failed'; missionId: string | null; code: string }
  | { result: 'duplicate'; missionId: string }
  | { result: 'cancelled'; missionId: string }
  | { result: 'superseded'; missionId: string; why: string }
  | { result: 'interrupted'; missionId: string | null };

class Interrupted extends Error {}

/** The attempt must stop: someone asked to cancel, or another attempt owns the mission now. */
class Stop extends Error {
  constructor(
    readonly kind: 'cancel' | 'superseded',
    why: string,
  ) {
    super(why);
  }
}

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

  const failForGood = async (e: DriftlineError, attempts: number, token: string | null): Promise<JobResult> => {
    log.error({ code: e.code, err: e.message, field: e.field, attempts }, 'mission failed');
    try {
      const written = await persist(
        'record failure',
        () =>
          ports.fail(missionId, {
            params: rawParams,
            attempts,
            workerId: opts.workerId,
            message: e.toString(),
            code: e.code,
            token,
            rawJob: sanitiseJobText(raw, RAW_JOB_KEEP_CHARS),
          }),
        log,
      );
      if (!written && token !== null) {
        // Another attempt holds the mission now: its outcome stands, this failure is not recorded.
        await ports.ack().catch(() => undefined);
        return { result: 'superseded', missionId, why: 'claim lost before recording the failure' };
      }
    } catch (err) {
      if (err instanceof Interrupted) throw err;
      // A permanent database error (e.g. the schema was never migrated): the dead letter still keeps the job.
      log.error({ err: (err as Error).message }, 'could not record the failure in PostgreSQL; the dead letter keeps the job');
    }
    const moved = await persist('dead-letter', () => ports.deadLetter(letter(missionId, e, attempts)), log);
    if (moved !== 'done') log.warn({ dead_letter: moved }, 'job was no longer this worker\'s (lease lapsed); not dead-lettered twice');
    return { result: 'failed', missionId, code: e.code };
  };
  if (unreadable !== null) return failForGood(unreadable, 0, null);

  // 2. Validate (permanent errors fail at once, naming the field).
  let job: Job;
  try {
    job = validateJob(value, opts.limits);
  } catch (err) {
    return failForGood(asDriftlineError(err), 0, null);
  }

  /** Aliases and clean-up get the upload's patience; past it, a warning (the rows are the authority). */
  const publishPatiently = (stored: StoredProduct[] | null) =>
    withStoragePatience('publishing aliases', () => ports.publish(missionId, stored), signal, opts, log).catch((err: Error) =>
      log.warn({ err: err.message }, 'could not write the fixed-key aliases or delete other attempts\' objects'),
    );

  // 3. Admission: wait until the mission fits beside the others this worker runs.
  let release: () => void = () => undefined;
  if (opts.admit) {
    try {
      release = await opts.admit(job, opts.superseded ? AbortSignal.any([signal, opts.superseded]) : signal);
    } catch {
      if (signal.aborted) throw new Interrupted();
      // The lease went while the job waited: the reaper gave it to another worker.
      return { result: 'superseded', missionId, why: 'the worker lost its lease while the mission waited for memory' };
    }
  }

  // 4. Attempts.
  try {
    const t0 = performance.now();
    let outcome: MissionOutcome | null = null;
    for (let attempt = 1; ; attempt++) {
      let fraction = 0;
      let ticker: NodeJS.Timeout | undefined;
      let claim: AttemptClaim | null = null;
      const stop = new AbortController();
      const onSuperseded = () => stop.abort(new Stop('superseded', 'the worker lost its lease'));
      opts.superseded?.addEventListener('abort', onSuperseded, { once: true });
      if (opts.superseded?.aborted) onSuperseded();
      const attemptSignal = AbortSignal.any([signal, stop.signal]);
      const checkStop = () => {
        if (signal.aborted) throw new Interrupted();
        if (stop.signal.aborted) throw stop.signal.reason as Stop;
      };
      try {
        const answer = await persist('start attempt', () => ports.claim(job), log);
        if (answer === 'already-completed' || answer === 'cancelled' || 'busyWith' in answer) {
          if (answer === 'already-completed') await publishPatiently(null);
          await persist('ack', () => ports.ack(), log);
          if (answer === 'already-completed') {
            log.info('mission already completed; duplicate job dropped');
            return { result: 'duplicate', missionId };
          }
          if (answer === 'cancelled') {
            log.info('mission was cancelled; its job dropped');
            return { result: 'cancelled', missionId };
          }
          log.warn({ running_on: answer.busyWith }, 'mission is running on another worker; this copy of its job dropped');
          return { result: 'superseded', missionId, why: 'running elsewhere' };
        }
        claim = answer;
        const token = claim.token;
        opts.onAttempt?.(claim);
        // Attempts cut short by workers that died count too (a job that kills its worker is not run forever).
        attempt = Math.max(attempt, claim.attempts);
        if (attempt > opts.maxAttempts) {
          throw new DriftlineError('E_INTERNAL', `gave up after ${attempt - 1} attempts (workers stopped or died during them); MAX_ATTEMPTS is ${opts.maxAttempts}`, {
            retryable: false,
          });
        }
        log.info({ attempt, max_attempts: opts.maxAttempts }, 'mission started');
        ticker = setInterval(() => {
          ports
            .progress(missionId, token, fraction)
            .then((a) => {
              if (a === 'cancel') stop.abort(new Stop('cancel', 'cancel requested'));
              else if (a === 'fenced') stop.abort(new Stop('superseded', 'another attempt holds the mission'));
            })
            .catch((err: Error) => log.debug({ err: err.message }, 'progress update failed'));
        }, opts.progressIntervalMs);
        if (outcome === null) {
          outcome = await ports.run(job, {
            signal: attemptSignal,
            logger: log,
            onProgress: (p) => {
              fraction = p.fraction;
              opts.onProgress?.(p.fraction);
            },
          });
        } else {
          log.info('re-using the products of the previous attempt; repeating the upload only');
        }
        checkStop();
        const done = outcome;
        const attemptKey = claim.attemptKey;
        const stored = await withStoragePatience('upload', () => ports.upload(missionId, attemptKey, done, attemptSignal), attemptSignal, opts, log);
        checkStop();
        clearInterval(ticker);
        const published = await persist('record completion', () => ports.complete(missionId, token, stored, done), log);
        if (!published) throw new Stop('superseded', 'another attempt holds the mission');
        // Before the ack: should this process die now, the job comes back, and the next worker finds
        // the mission completed and publishes the aliases from the recorded rows.
        await publishPatiently(stored);
        const acked = await persist('ack', () => ports.ack(), log);
        if (acked !== 'done') log.warn({ ack: acked }, 'job was no longer in this worker\'s processing list (lease lapsed); the completed row stands');
        const durationSec = (performance.now() - t0) / 1000;
        log.info({ duration_s: Number(durationSec.toFixed(3)), products: stored.length, warnings: outcome.warnings.length }, 'mission completed');
        return { result: 'completed', missionId, durationSec };
      } catch (caught) {
        if (caught instanceof Interrupted || signal.aborted) throw new Interrupted();
        const err = stop.signal.aborted ? (stop.signal.reason as Stop) : caught;
        if (err instanceof Stop) {
          if (claim !== null) return endStopped(ports, err, missionId, claim, log);
          // The lease went before any claim: the reaper has the job back; nothing of ours to undo.
          return { result: 'superseded', missionId, why: err.message };
        }
        const e = asDriftlineError(err);
        if (!e.retryable || attempt >= opts.maxAttempts) return failForGood(e, attempt, claim?.token ?? null);
        const delayMs = backoffMs(attempt, opts.retryBaseMs, opts.retryMaxMs);
        log.warn({ attempt, code: e.code, err: e.message, retry_in_ms: delayMs }, 'attempt failed; retrying');
        opts.onRetry?.(e);
        if (claim !== null) await ports.noteRetry(missionId, claim.token, e).catch(() => undefined);
        if (!(await sleep(delayMs, signal))) throw new Interrupted();
      } finally {
        clearInterval(ticker);
        opts.superseded?.removeEventListener('abort', onSuperseded);
      }
    }
  } finally {
    release();
  }
}

/**
 * Storage with patience: an S3 outage is retried with backoff for up to `storageRetryMs` (for an
 * upload, the attempt still holds its claim and the progress ticker keeps its heartbeat alive) before
 * it fails. Any other error, or `signal` aborting, ends it at once.
 */
async function withStoragePatience<T>(what: string, fn: () => Promise<T>, signal: AbortSignal, opts: HandleOptions, log: Logger): Promise<T> {
  const deadline = performance.now() + opts.storageRetryMs;
  for (let n = 1; ; n++) {
    try {
      return await fn();
    } catch (err) {
      const e = asDriftlineError(err);
      const delayMs = backoffMs(n, opts.retryBaseMs, opts.retryMaxMs);
      if (signal.aborted || e.code !== 'E_STORAGE' || !e.retryable || performance.now() + delayMs > deadline) throw e;
      log.warn({ code: e.code, err: e.message, retry_in_ms: delayMs, tries: n }, `${what} failed; products kept on disk, retrying`);
      if (!(await sleep(delayMs, signal))) throw e;
    }
  }
}

/** The attempt was stopped: record a cancel, or step aside for the attempt that owns the mission. */
async function endStopped(ports: JobPorts, stop: Stop, missionId: string, claim: AttemptClaim, log: Logger): Promise<JobResult> {
  if (stop.kind === 'cancel') {
    const recorded = await ports.cancelled(missionId, claim.token).catch(() => false);
    await ports.ack().catch(() => undefined);
    await ports.discard(missionId, claim.attemptKey).catch(() => undefined);
    log.info({ recorded }, 'mission cancelled on request');
    return { result: 'cancelled', missionId };
  }
  // Fenced out: nothing of this attempt may stay visible. Its objects sit under its own prefix, so
  // deleting them cannot touch the winner's; the job copy in our list (if any) is not ours to run.
  log.warn({ why: stop.message }, 'attempt superseded: another attempt owns the mission; stopping without writing');
  await ports.discard(missionId, claim.attemptKey).catch((err: Error) => log.warn({ err: err.message }, 'could not delete this attempt\'s objects'));
  await ports.ack().catch(() => undefined);
  return { result: 'superseded', missionId, why: stop.message };
}
