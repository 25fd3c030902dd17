import type pg from 'pg';
import { inTransaction, run } from '../pool.js';
import { insertMissionResults } from './insertMissionResults.js';
import type { StoredResult } from './types.js';

// First, and fenced: only the attempt whose token the row still holds may complete it.
const COMPLETE = `
UPDATE missions
SET status = 'completed', progress = 1, error = NULL, error_code = NULL, completed_at = now(),
    heartbeat_at = now(), updated_at = now(), warnings = $3, timings_ms = $4, particle_steps = $5
WHERE id = $1 AND claim_token = $2 AND status = 'processing'`;

// The winner's result set replaces every row an earlier attempt left (one set per mission, always).
const DELETE_RESULTS = `DELETE FROM mission_results WHERE mission_id = $1`;

export interface CompletionReport {
  warnings: string[];
  timingsMs: Record<string, number>;
  particleSteps: number;
}

/**
 * Record the products and mark the mission `completed`, in one transaction, only while `token` holds
 * the claim. Returns false (and writes nothing) when another attempt holds it: this attempt was
 * fenced out, and its products must not be published.
 */
export async function completeMission(
  pool: pg.Pool,
  missionId: string,
  token: string,
  results: StoredResult[],
  report: CompletionReport,
): Promise<boolean> {
  return inTransaction(pool, 'complete mission', async (client) => {
    const r = await run(client, 'complete mission: status', COMPLETE, [
      missionId,
      token,
      JSON.stringify(report.warnings),
      JSON.stringify(report.timingsMs),
      report.particleSteps,
    ]);
    if (r.rowCount !== 1) return false;
    await run(client, 'complete mission: old results', DELETE_RESULTS, [missionId]);
    await insertMissionResults(client, 'complete mission: results', missionId, results);
    return true;
  });
}
