import { run, type Queryable } from '../pool.js';

// ORDER BY the column, qualified: a bare `id` would sort by the text alias ('9' after '10').
const SQL = `
SELECT id::text AS id, received_at, worker_id, error_code, error, field, mission_id_hint, raw_bytes, raw_job
FROM rejected_jobs ORDER BY rejected_jobs.id DESC LIMIT $1`;

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
