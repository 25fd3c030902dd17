import { run, type Queryable } from '../pool.js';
import type { MissionResultRow, MissionRow } from './types.js';

/*
 * Several missions and their products in one round trip: the API's status reads that arrive in the
 * same event-loop turn share this query (src/api/status-reads.ts). 200 concurrent reads of 200
 * different missions were 200 queries, each a socket write and a pool checkout; a profile of
 * bench/api.bench.mjs put ~17 % of the server's CPU in pg's query submission alone.
 */
const SQL = `
SELECT m.*,
  coalesce((SELECT json_agg(json_build_object(
      'mission_id', r.mission_id, 'kind', r.kind, 'uri', r.uri, 'bytes', r.bytes::float8,
      'content_type', r.content_type, 'sha256', r.sha256, 'created_at', r.created_at) ORDER BY r.kind)
    FROM mission_results r WHERE r.mission_id = m.id), '[]'::json) AS results
FROM missions m WHERE m.id = ANY($1::text[])`;

export async function getMissionsWithResults(db: Queryable, missionIds: string[]): Promise<Map<string, { mission: MissionRow; results: MissionResultRow[] }>> {
  const r = await run<MissionRow & { results: Array<Omit<MissionResultRow, 'created_at'> & { created_at: string }> }>(db, 'get missions with results', SQL, [missionIds]);
  const out = new Map<string, { mission: MissionRow; results: MissionResultRow[] }>();
  for (const row of r.rows) {
    const { results, ...mission } = row;
    out.set(mission.id, { mission, results: results.map((x) => ({ ...x, created_at: new Date(x.created_at) })) });
  }
  return out;
}
