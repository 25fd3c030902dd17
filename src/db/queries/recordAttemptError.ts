import { run, type Queryable } from '../pool.js';

const SQL = `
UPDATE missions SET error = $3, error_code = $4, updated_at = now()
WHERE id = $1 AND claim_token = $2 AND status = 'processing'`;

/** A failed attempt that will be retried: the row shows why while the mission waits for the next one (fenced). */
export async function recordAttemptError(db: Queryable, missionId: string, token: string, message: string, code: string): Promise<void> {
  await run(db, 'record attempt error', SQL, [missionId, token, message, code]);
}
