import { run, type Queryable } from '../pool.js';
import type { MissionViewRow, ProductRow } from './types.js';

/*
 * Several missions and their products in one round trip: the API's status reads that arrive in the
 * same event-loop turn share this query (src/api/status-reads.ts). 200 concurrent reads of 200
 * different missions were 200 queries, each a socket write and a pool checkout; a profile of
 * bench/api.bench.mjs put ~17 % of the server's CPU in pg's query submission alone. Only the columns
 * the API shows are selected: the query runs for every batch, even when the bodies are cached, and
 * `m.*` parsed timings, heartbeats, claim tokens and, for a failed mission, its raw job text (up to
 * the job size limit) for every read. (bench/api.bench.mjs's rows have none of those filled, so it shows
 * no change: 41.7-45.7 against 41.9-49.9 ms p99 for first reads, alternating with the build before.)
 */
const SQL = `
SELECT m.id, m.status, m.progress, m.attempts, m.params, m.warnings, m.error, m.error_code, m.created_at,
  m.started_at, m.completed_at, m.updated_at, m.cancel_requested_at,
  m.xmin::text AS row_version, r.results, r.versions AS results_version
FROM missions m
LEFT JOIN LATERAL (
  SELECT json_agg(json_build_object(
      'kind', x.kind, 'uri', x.uri, 'bytes', x.bytes::float8, 'content_type', x.content_type, 'sha256', x.sha256)
      ORDER BY x.kind) AS results,
    string_agg(x.xmin::text, ',' ORDER BY x.kind) AS versions
  FROM mission_results x WHERE x.mission_id = m.id) r ON true
WHERE m.id = ANY($1::text[])`;

export interface MissionWithResults {
  mission: MissionViewRow;
  results: ProductRow[];
  /**
   * Changes whenever the mission row or any of its results changes: the xmin (id of the writing
   * transaction) of the row and of each result row. Every UPDATE writes a new row version with a new
   * xmin, an INSERT or DELETE of a result changes the list; equal versions mean equal content.
   */
  version: string;
}

type Raw = MissionViewRow & { row_version: string; results: ProductRow[] | null; results_version: string | null };

export async function getMissionsWithResults(db: Queryable, missionIds: string[]): Promise<Map<string, MissionWithResults>> {
  const r = await run<Raw>(db, 'get missions with results', SQL, [missionIds]);
  const out = new Map<string, MissionWithResults>();
  for (const row of r.rows) {
    const { results, row_version, results_version, ...mission } = row;
    out.set(mission.id, {
      mission,
      results: results ?? [],
      version: `${row_version}/${results_version ?? ''}`,
    });
  }
  return out;
}
