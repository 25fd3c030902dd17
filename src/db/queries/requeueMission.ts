import { run, type Queryable } from '../pool.js';

const SQL = `
UPDATE missions
SET status = 'queued', attempts = greatest(attempts - 1, 0), worker_id = NULL, progress = 0,
    error = $3, error_code = 'E_CANCELLED', updated_at = now()
WHERE id = $1 AND worker_id = $2 AND status = 'processing'`;

/**
 * A worker shutting down gives a mission back: `queued` again, and the interrupted attempt does not
 * count against MAX_ATTEMPTS. Only the worker that holds the mission can do this.
 */
export async function requeueMission(db: Queryable, missionId: string, workerId: string, reason: string): Promise<boolean> {
  const r = await run(db, 'requeue mission', SQL, [missionId, workerId, reason]);
  return r.rowCount === 1;
}
