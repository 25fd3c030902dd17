import type pg from 'pg';
import { inTransaction, run } from '../pool.js';
import type { StoredResult } from './types.js';

const UPSERT_RESULTS = `
INSERT INTO mission_results (mission_id, kind, uri, bytes, content_type, sha256)
SELECT $1, r.kind, r.uri, r.bytes, r.content_type, r.sha256
FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[]) AS r(kind, uri, bytes, content_type, sha256)
ON CONFLICT (mission_id, kind) DO UPDATE
  SET uri = EXCLUDED.uri, bytes = EXCLUDED.bytes, content_type = EXCLUDED.content_type,
      sha256 = EXCLUDED.sha256, created_at = now()`;

// A product an earlier attempt made but this one did not (e.g. the animation failed this time).
const DELETE_STALE = `DELETE FROM mission_results WHERE mission_id = $1 AND NOT (kind = ANY($2::text[]))`;

const COMPLETE = `
UPDATE missions
SET status = 'completed', progress = 1, error = NULL, error_code = NULL, completed_at = now(),
    heartbeat_at = now(), updated_at = now(), warnings = $2, timings_ms = $3, particle_steps = $4
WHERE id = $1`;

export interface CompletionReport {
  warnings: string[];
  timingsMs: Record<string, number>;
  particleSteps: number;
}

/** Record the products and mark the mission `completed`, in one transaction. */
export async function completeMission(pool: pg.Pool, missionId: string, results: StoredResult[], report: CompletionReport): Promise<void> {
  await inTransaction(pool, 'complete mission', async (client) => {
    await run(client, 'complete mission: results', UPSERT_RESULTS, [
      missionId,
      results.map((r) => r.kind),
      results.map((r) => r.uri),
      results.map((r) => r.bytes),
      results.map((r) => r.contentType),
      results.map((r) => r.sha256),
    ]);
    await run(client, 'complete mission: stale results', DELETE_STALE, [missionId, results.map((r) => r.kind)]);
    const r = await run(client, 'complete mission: status', COMPLETE, [
      missionId,
      JSON.stringify(report.warnings),
      JSON.stringify(report.timingsMs),
      report.particleSteps,
    ]);
    if (r.rowCount !== 1) throw new Error(`mission ${missionId} has no row to complete`);
  });
}
