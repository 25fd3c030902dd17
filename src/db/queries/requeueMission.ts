import { run, type Queryable } from '../pool.js';

const SQL = `
UPDATE missions
SET status = 'queued', attempts = greatest(attempts - 1, 0), worker_id = NULL, claim_token = NULL, progress = 0,
    error = $3, error_code = 'E_CANCELLED', updated_at = now()
WHERE id = $1 AND claim_token = $2 AND status = 'processing'`;

/**
 * A worker shutting down gives a mission back: `queued` again, and the interrupted attempt does not
 * count against MAX_ATTEMPTS. Only the attempt that holds the claim can do this.
 */
export async function requeueMission(db: Queryable, missionId: string, token: string, reason: string): Promise<boolean> {
  const r = await run(db, 'requeue mission', SQL, [missionId, token, reason]);
  return r.rowCount === 1;
}
