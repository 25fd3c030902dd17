import { run, type Queryable } from '../pool.js';

/**
 * Insert, then prune to the newest KEEP_ROWS rows by id (bigserial: newer rows have larger ids), in one
 * statement so two workers rejecting at once never delete more than the cap allows.
 */
const KEEP_ROWS = 10_000;
const SQL = `
WITH ins AS (
  INSERT INTO rejected_jobs (worker_id, error_code, error, field, mission_id_hint, raw_bytes, raw_job)
  VALUES ($1, $2, $3, $4, $5, $6, $7)
  RETURNING id
)
DELETE FROM rejected_jobs WHERE id <= (SELECT id FROM ins) - ${KEEP_ROWS}`;

/** A job that could not be attributed to a mission (sql/004_rejected_jobs.sql). Strings must already be sanitised. */
export interface RejectedJobRecord {
  workerId: string;
  code: string;
  /** "E_JOB_INVALID: mission_id: missing" */
  message: string;
  field: string | null;
  missionIdHint: string | null;
  rawBytes: number;
  /** Sanitised, truncated job text (src/job-guard.ts sanitiseJobText). */
  rawJob: string;
}

export async function insertRejectedJob(db: Queryable, r: RejectedJobRecord): Promise<void> {
  await run(db, 'record rejected job', SQL, [r.workerId, r.code, r.message, r.field, r.missionIdHint, r.rawBytes, r.rawJob]);
}
