import type pg from 'pg';
import { inTransaction, run } from '../pool.js';
import { insertMissionResults } from './insertMissionResults.js';
import type { StoredResult } from './types.js';

/*
 * Contract (`driftline plan <mission_id>`, POST /missions/:id/plan; src/planning/replan.ts):
 * an operator's write to a finished mission, not a worker's, so it carries no claim token (fencing is
 * for attempts racing over a running mission). It is allowed only while the mission is `completed`:
 * the row is locked (FOR UPDATE) for the transaction, so a retry that resets the mission cannot slip
 * in between the check and the write, and the rows of `kinds` (the plan products) are replaced by the
 * new ones. Other products of the mission are never touched. Returns the URIs of the replaced rows
 * (objects the caller may delete), or null when the mission is missing or not completed (nothing
 * written).
 */
const LOCK = `SELECT status FROM missions WHERE id = $1 FOR UPDATE`;

const DELETE_KINDS = `DELETE FROM mission_results WHERE mission_id = $1 AND kind = ANY($2::text[]) RETURNING uri`;


export async function recordMissionPlan(pool: pg.Pool, missionId: string, kinds: string[], results: StoredResult[]): Promise<{ replacedUris: string[] } | null> {
  return inTransaction(pool, 'record mission plan', async (client) => {
    const row = await run<{ status: string }>(client, 'record mission plan: lock', LOCK, [missionId]);
    if (row.rows[0]?.status !== 'completed') return null;
    const old = await run<{ uri: string }>(client, 'record mission plan: old rows', DELETE_KINDS, [missionId, kinds]);
    await insertMissionResults(client, 'record mission plan: rows', missionId, results);
    return { replacedUris: old.rows.map((r) => r.uri) };
  });
}
