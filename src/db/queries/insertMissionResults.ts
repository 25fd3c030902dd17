import { run, type Queryable } from '../pool.js';
import type { StoredResult } from './types.js';

/*
 * Rows of mission_results for stored products, one statement for any number (unnest of parallel
 * arrays). Not a transaction of its own: completeMission (fenced by the claim token) and
 * recordMissionPlan (under the row lock of a completed mission) run it inside theirs, after
 * deleting the rows it replaces.
 */
const INSERT = `
INSERT INTO mission_results (mission_id, kind, uri, bytes, content_type, sha256)
SELECT $1, r.kind, r.uri, r.bytes, r.content_type, r.sha256
FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[]) AS r(kind, uri, bytes, content_type, sha256)`;

export async function insertMissionResults(db: Queryable, operation: string, missionId: string, results: StoredResult[]): Promise<void> {
  await run(db, operation, INSERT, [
    missionId,
    results.map((x) => x.kind),
    results.map((x) => x.uri),
    results.map((x) => x.bytes),
    results.map((x) => x.contentType),
    results.map((x) => x.sha256),
  ]);
}
