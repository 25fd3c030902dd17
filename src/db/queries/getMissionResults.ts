import { run, type Queryable } from '../pool.js';
import type { MissionResultRow } from './types.js';

const SQL = `
SELECT mission_id, kind, uri, bytes::float8 AS bytes, content_type, sha256, created_at
FROM mission_results WHERE mission_id = $1 ORDER BY kind`;

export async function getMissionResults(db: Queryable, missionId: string): Promise<MissionResultRow[]> {
  const r = await run<MissionResultRow>(db, 'get mission results', SQL, [missionId]);
  return r.rows;
}
