import { run, type Queryable } from '../pool.js';

const SQL = `
INSERT INTO missions (id, status, params, attempts, worker_id, progress, started_at, heartbeat_at)
VALUES ($1, 'processing', $2, 1, $3, 0, now(), now())
ON CONFLICT (id) DO UPDATE
  SET status = 'processing', params = EXCLUDED.params, attempts = missions.attempts + 1,
      worker_id = EXCLUDED.worker_id, progress = 0, started_at = now(), heartbeat_at = now(),
      completed_at = NULL, updated_at = now()
  WHERE missions.status <> 'completed'
RETURNING attempts`;

export type ClaimResult = { attempts: number } | 'already-completed';

/**
 * A worker starts an attempt: the row becomes `processing` (created if the producer did not make
 * one), attempts + 1. A mission that is already `completed` is not touched: the job is a duplicate
 * (e.g. its first worker died between recording completion and acknowledging it) and is dropped.
 */
export async function claimMission(db: Queryable, missionId: string, params: unknown, workerId: string): Promise<ClaimResult> {
  const r = await run<{ attempts: number }>(db, 'claim mission', SQL, [missionId, JSON.stringify(params), workerId]);
  const row = r.rows[0];
  return row === undefined ? 'already-completed' : { attempts: row.attempts };
}
