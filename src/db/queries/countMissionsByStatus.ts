import { run, type Queryable } from '../pool.js';
import type { MissionStatus } from './types.js';

const SQL = `SELECT status, count(*)::int AS n FROM missions GROUP BY status`;

export async function countMissionsByStatus(db: Queryable): Promise<Record<MissionStatus, number>> {
  const r = await run<{ status: MissionStatus; n: number }>(db, 'count missions', SQL, []);
  const counts: Record<MissionStatus, number> = { queued: 0, processing: 0, completed: 0, failed: 0, cancelled: 0 };
  for (const row of r.rows) counts[row.status] = row.n;
  return counts;
}
