import { run, type Queryable } from '../pool.js';

const SQL = `
UPDATE missions
SET status = 'queued', attempts = 0, worker_id = NULL, progress = 0, completed_at = NULL, updated_at = now()
WHERE id = $1 AND status <> 'completed'`;

/**
 * `driftline retry`: the mission is `queued` again with a fresh MAX_ATTEMPTS budget. The last error
 * stays on the row until the next attempt replaces it, so an operator can still see it.
 */
export async function resetMissionForRetry(db: Queryable, missionId: string): Promise<boolean> {
  const r = await run(db, 'reset mission for retry', SQL, [missionId]);
  return r.rowCount === 1;
}
