import { run, type Queryable } from '../pool.js';
import type { MissionRow, MissionStatus } from './types.js';

/*
 * Keyset pagination, newest first, for GET /missions. The cursor is (created_at in whole
 * microseconds since the epoch, id) of the last row of the previous page: microseconds because
 * timestamptz keeps them and a JS Date would round them to milliseconds, which would skip or repeat
 * rows created in the same millisecond. Uses missions_created_at_idx / missions_status_created_at_idx.
 */
const SQL = `
SELECT *, (extract(epoch FROM created_at) * 1000000)::bigint::text AS created_at_us
FROM missions
WHERE ($1::text IS NULL OR status = $1)
  AND ($2::bigint IS NULL
       OR (created_at, id) < (timestamptz 'epoch' + $2::bigint * interval '1 microsecond', $3::text))
ORDER BY created_at DESC, id DESC
LIMIT $4`;

export interface MissionPageRow extends MissionRow {
  /** created_at in microseconds since the epoch, as a decimal string (the cursor's first half). */
  created_at_us: string;
}

export interface MissionPageQuery {
  status?: MissionStatus;
  limit: number;
  after?: { createdAtUs: string; id: string };
}

export async function listMissionsPage(db: Queryable, q: MissionPageQuery): Promise<MissionPageRow[]> {
  const r = await run<MissionPageRow>(db, 'list missions page', SQL, [q.status ?? null, q.after?.createdAtUs ?? null, q.after?.id ?? null, q.limit]);
  return r.rows;
}
