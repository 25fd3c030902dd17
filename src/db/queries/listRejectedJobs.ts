import { run, type Queryable } from '../pool.js';

const SQL = `
SELECT id::text AS id, received_at, worker_id, error_code, error, field, mission_id_hint, raw_bytes, raw_job
FROM rejected_jobs ORDER BY id DESC LIMIT $1`;

export interface RejectedJobRow {
  /** bigserial, as text (it may pass 2^53). */
  id: string;
  received_at: Date;
  worker_id: string;
  error_code: string;
  error: string;
  field: string | null;
  mission_id_hint: string | null;
  raw_bytes: number;
  raw_job: string;
}

/** The newest rejected jobs first. */
export async function listRejectedJobs(db: Queryable, limit: number): Promise<RejectedJobRow[]> {
  return (await run<RejectedJobRow>(db, 'list rejected jobs', SQL, [limit])).rows;
}
