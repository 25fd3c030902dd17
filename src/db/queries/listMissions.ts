import { run, type Queryable } from '../pool.js';
import type { MissionRow, MissionStatus } from './types.js';

const SQL = `
SELECT * FROM missions
WHERE ($1::text IS NULL OR status = $1)
ORDER BY created_at DESC, id
LIMIT $2`;

/** The newest missions first, optionally of one status. */
export async function listMissions(db: Queryable, opts: { status?: MissionStatus; limit: number }): Promise<MissionRow[]> {
  const r = await run<MissionRow>(db, 'list missions', SQL, [opts.status ?? null, opts.limit]);
  return r.rows;
}
