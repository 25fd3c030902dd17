import { run, type Queryable } from '../pool.js';
import type { MissionResultRow, MissionRow } from './types.js';

/*
 * One mission and its products in one round trip (GET /missions/:id): one pooled connection per
 * status read instead of two, which is what runs out first under 200 concurrent reads.
 */
const SQL = `
SELECT m.*,
  coalesce((SELECT json_agg(json_build_object(
      'mission_id', r.mission_id, 'kind', r.kind, 'uri', r.uri, 'bytes', r.bytes::float8,
      'content_type', r.content_type, 'sha256', r.sha256, 'created_at', r.created_at) ORDER BY r.kind)
    FROM mission_results r WHERE r.mission_id = m.id), '[]'::json) AS results
FROM missions m WHERE m.id = $1`;

export async function getMissionWithResults(db: Queryable, missionId: string): Promise<{ mission: MissionRow; results: MissionResultRow[] } | null> {
  const r = await run<MissionRow & { results: Array<Omit<MissionResultRow, 'created_at'> & { created_at: string }> }>(db, 'get mission with results', SQL, [missionId]);
  const row = r.rows[0];
  if (row === undefined) return null;
  const { results, ...mission } = row;
  return { mission, results: results.map((x) => ({ ...x, created_at: new Date(x.created_at) })) };
}
