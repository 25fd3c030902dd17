import { replaceUnstorable, sanitiseForJson } from '../../job-guard.js';
import { run, type Queryable } from '../pool.js';

/*
 * With a claim token (an attempt failed for good) only that attempt may fail the row. Without one (the
 * job failed before any attempt: it did not validate) the row is created, or updated unless it is
 * final or another worker is running the mission.
 */
const SQL = `
INSERT INTO missions (id, status, params, attempts, worker_id, error, error_code, raw_job, completed_at)
VALUES ($1, 'failed', $2, $3, $4, $5, $6, $8, now())
ON CONFLICT (id) DO UPDATE
  SET status = 'failed', error = EXCLUDED.error, error_code = EXCLUDED.error_code,
      raw_job = coalesce(EXCLUDED.raw_job, missions.raw_job),
      worker_id = EXCLUDED.worker_id, completed_at = now(), updated_at = now(), claim_token = NULL,
      attempts = greatest(missions.attempts, EXCLUDED.attempts)
  WHERE CASE WHEN $7::text IS NULL THEN missions.status NOT IN ('completed', 'cancelled', 'processing')
             ELSE missions.claim_token = $7 AND missions.status = 'processing' END`;

export interface FailureRecord {
  /** The params as sent (the job may have failed validation, so they are stored raw). */
  params: unknown;
  attempts: number;
  workerId: string;
  /** "E_JOB_INVALID: params.latitude: Too big: expected number to be <=90" */
  message: string;
  code: string;
  /** The claim token of the attempt that failed; null when no attempt started (validation). */
  token: string | null;
  /** Sanitised copy of the job text (src/job-guard.ts sanitiseJobText), for jobs that failed validation. */
  rawJob?: string;
}

/**
 * Mark a mission `failed` for good with its reason; creates the row when the job never got one
 * (it failed validation). A final mission is never turned into a failure, and an attempt that lost
 * its claim changes nothing. Returns whether the row was written.
 */
export async function failMission(db: Queryable, missionId: string, f: FailureRecord): Promise<boolean> {
  // Sanitised: the params of a job that failed validation may hold a NUL, which jsonb refuses (the row
  // would never be written), or nesting deeper than the guard allows.
  const params = sanitiseForJson(typeof f.params === 'object' && f.params !== null ? f.params : { value: f.params ?? null });
  const r = await run(db, 'fail mission', SQL, [missionId, JSON.stringify(params), f.attempts, f.workerId, replaceUnstorable(f.message), f.code, f.token, f.rawJob ?? null]);
  return r.rowCount === 1;
}
