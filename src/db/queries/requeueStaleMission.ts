import { run, type Queryable } from '../pool.js';

/*
 * Re-arm a row whose job no Redis list holds, under the same staleness condition that made it a
 * candidate (a claim in the meantime touched updated_at/heartbeat_at, and then nothing happens).
 * The claim token is cleared, so a worker that still runs an old attempt is fenced out.
 */
const SQL = `
UPDATE missions
SET status = 'queued', worker_id = NULL, claim_token = NULL, progress = 0, updated_at = now(),
    error = 'E_RECONCILED: its job was in no Redis list; re-enqueued from PostgreSQL', error_code = 'E_RECONCILED'
WHERE id = $1
  AND ((status = 'queued' AND updated_at < now() - make_interval(secs => $2))
    OR (status = 'processing' AND coalesce(heartbeat_at, updated_at) < now() - make_interval(secs => $2)))
RETURNING params`;

/** The params to rebuild the job from, or null when the row moved on meanwhile. */
export async function requeueStaleMission(db: Queryable, missionId: string, graceSeconds: number): Promise<unknown> {
  const r = await run<{ params: unknown }>(db, 'requeue stale mission', SQL, [missionId, graceSeconds]);
  return r.rows[0]?.params ?? null;
}
