import { run, type Queryable } from '../pool.js';

const SQL = `
INSERT INTO missions (id, status, params)
VALUES ($1, 'queued', $2)
ON CONFLICT (id) DO UPDATE
  SET status = 'queued', params = EXCLUDED.params, error = NULL, error_code = NULL, progress = 0,
      worker_id = NULL, completed_at = NULL, updated_at = now()
  WHERE missions.status = 'failed'
RETURNING id`;

/**
 * A producer (`driftline push`) records a mission as `queued`. An existing row is left alone unless
 * it had failed (a re-push is a retry); returns false when the row existed and was kept.
 */
export async function insertQueuedMission(db: Queryable, missionId: string, params: unknown): Promise<boolean> {
  const r = await run(db, 'insert queued mission', SQL, [missionId, JSON.stringify(params ?? {})]);
  return (r.rowCount ?? 0) > 0;
}
