import type pg from 'pg';
import { inTransaction, run } from '../pool.js';
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

const INSERT = `
INSERT INTO mission_results (mission_id, kind, uri, bytes, content_type, sha256)
SELECT $1, r.kind, r.uri, r.bytes, r.content_type, r.sha256
FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[]) AS r(kind, uri, bytes, content_type, sha256)`;

export async function recordMissionPlan(pool: pg.Pool, missionId: string, kinds: string[], results: StoredResult[]): Promise<{ replacedUris: string[] } | null> {
  return inTransaction(pool, 'record mission plan', async (client) => {
    const row = await run<{ status: string }>(client, 'record mission plan: lock', LOCK, [missionId]);
    if (row.rows[0]?.status !== 'completed') return null;
    const old = await run<{ uri: string }>(client, 'record mission plan: old rows', DELETE_KINDS, [missionId, kinds]);
    await run(client, 'record mission plan: rows', INSERT, [
      missionId,
      results.map((x) => x.kind),
      results.map((x) => x.uri),
      results.map((x) => x.bytes),
      results.map((x) => x.contentType),
      results.map((x) => x.sha256),
    ]);
    return { replacedUris: old.rows.map((r) => r.uri) };
  });
}
