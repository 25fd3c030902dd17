import { run, type Queryable } from '../pool.js';
import type { MissionRow } from './types.js';

const SQL = `SELECT * FROM missions WHERE id = $1`;

export async function getMission(db: Queryable, missionId: string): Promise<MissionRow | null> {
  const r = await run<MissionRow>(db, 'get mission', SQL, [missionId]);
  return r.rows[0] ?? null;
}
