import { run, type Queryable } from '../pool.js';
import type { MissionRow } from './types.js';

/*
 * Contract (POST /missions/:id/cancel; the worker side is in src/worker):
 * - queued     -> status 'cancelled', cancel_requested_at = completed_at = now(), in this one
 *                 statement. The job text stays on the Redis list; the worker that claims it sees a
 *                 cancelled row and drops it.
 * - processing -> cancel_requested_at = now() only (kept if already set). The worker sees it within
 *                 about a second through its progress write, stops, and sets 'cancelled' itself.
 * - anything else: no row changes; the caller reads the row to answer 404 or 409.
 * The WHERE on status makes it safe against a worker finishing at the same moment: whichever write
 * lands first wins and the other changes nothing.
 */
const SQL = `
UPDATE missions SET
  status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
  cancel_requested_at = coalesce(cancel_requested_at, now()),
  completed_at = CASE WHEN status = 'queued' THEN now() ELSE completed_at END,
  updated_at = now()
WHERE id = $1 AND status IN ('queued', 'processing')
RETURNING *`;

/** Cancel a queued mission at once, or ask its worker to stop a processing one; null when neither. */
export async function cancelMission(db: Queryable, missionId: string): Promise<MissionRow | null> {
  const r = await run<MissionRow>(db, 'cancel mission', SQL, [missionId]);
  return r.rows[0] ?? null;
}
