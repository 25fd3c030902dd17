import { run, type Queryable } from '../pool.js';

const SQL = `
UPDATE missions
SET status = 'cancelled', completed_at = now(), updated_at = now(), claim_token = NULL,
    error = 'cancelled on request while running', error_code = NULL
WHERE id = $1 AND claim_token = $2 AND status = 'processing'`;

/** The worker stopped a mission someone asked to cancel: `cancelled`, a final state (fenced). */
export async function cancelRunningMission(db: Queryable, missionId: string, token: string): Promise<boolean> {
  const r = await run(db, 'cancel running mission', SQL, [missionId, token]);
  return r.rowCount === 1;
}
