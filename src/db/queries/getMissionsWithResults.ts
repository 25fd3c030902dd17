import { run, type Queryable } from '../pool.js';
import type { MissionResultRow, MissionRow } from './types.js';

/*
 * Several missions and their products in one round trip: the API's status reads that arrive in the
 * same event-loop turn share this query (src/api/status-reads.ts). 200 concurrent reads of 200
 * different missions were 200 queries, each a socket write and a pool checkout; a profile of
 * bench/api.bench.mjs put ~17 % of the server's CPU in pg's query submission alone.
 */
const SQL = `
SELECT m.*, m.xmin::text AS row_version, r.results, r.versions AS results_version
FROM missions m
LEFT JOIN LATERAL (
  SELECT json_agg(json_build_object(
      'mission_id', x.mission_id, 'kind', x.kind, 'uri', x.uri, 'bytes', x.bytes::float8,
      'content_type', x.content_type, 'sha256', x.sha256, 'created_at', x.created_at) ORDER BY x.kind) AS results,
    string_agg(x.xmin::text, ',' ORDER BY x.kind) AS versions
  FROM mission_results x WHERE x.mission_id = m.id) r ON true
WHERE m.id = ANY($1::text[])`;

export interface MissionWithResults {
  mission: MissionRow;
  results: MissionResultRow[];
  /**
   * Changes whenever the mission row or any of its results changes: the xmin (id of the writing
   * transaction) of the row and of each result row. Every UPDATE writes a new row version with a new
   * xmin, an INSERT or DELETE of a result changes the list; equal versions mean equal content.
   */
  version: string;
}

type Raw = MissionRow & { row_version: string; results: Array<Omit<MissionResultRow, 'created_at'> & { created_at: string }> | null; results_version: string | null };

export async function getMissionsWithResults(db: Queryable, missionIds: string[]): Promise<Map<string, MissionWithResults>> {
  const r = await run<Raw>(db, 'get missions with results', SQL, [missionIds]);
  const out = new Map<string, MissionWithResults>();
  for (const row of r.rows) {
    const { results, row_version, results_version, ...mission } = row;
    out.set(mission.id, {
      mission,
      results: (results ?? []).map((x) => ({ ...x, created_at: new Date(x.created_at) })),
      version: `${row_version}/${results_version ?? ''}`,
    });
  }
  return out;
}
