import { run, type Queryable } from '../pool.js';

const SQL = `
UPDATE missions SET progress = $3, heartbeat_at = now(), updated_at = now()
WHERE id = $1 AND claim_token = $2 AND status = 'processing'
RETURNING cancel_requested_at IS NOT NULL AS cancel_requested`;

/** 'held': written; 'cancel': written, and someone asked to cancel the mission; 'fenced': the claim is gone. */
export type ProgressAnswer = 'held' | 'cancel' | 'fenced';

/**
 * Progress (0..1) and heartbeat of a running mission, about once a second, fenced by the claim
 * token. Its answer doubles as the cancellation check, so a cancel reaches the worker within one
 * progress interval without another query.
 */
export async function updateMissionProgress(db: Queryable, missionId: string, token: string, progress: number): Promise<ProgressAnswer> {
  const clamped = Math.min(1, Math.max(0, progress));
  const r = await run<{ cancel_requested: boolean }>(db, 'update mission progress', SQL, [missionId, token, clamped]);
  const row = r.rows[0];
  return row === undefined ? 'fenced' : row.cancel_requested ? 'cancel' : 'held';
}
