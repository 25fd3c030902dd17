import { run, type Queryable } from '../pool.js';

/*
 * Candidates for reconciliation: rows that should have a job in Redis and have not moved for the
 * grace period. A queued row waiting behind a long queue is one too; the Redis check then finds its
 * job and leaves it alone. Oldest first, a bounded batch per sweep.
 */
const SQL = `
SELECT id FROM missions
WHERE (status = 'queued' AND updated_at < now() - make_interval(secs => $1))
   OR (status = 'processing' AND coalesce(heartbeat_at, updated_at) < now() - make_interval(secs => $1))
ORDER BY updated_at
LIMIT $2`;

export async function findStaleMissions(db: Queryable, graceSeconds: number, limit: number): Promise<string[]> {
  const r = await run<{ id: string }>(db, 'find stale missions', SQL, [graceSeconds, limit]);
  return r.rows.map((row) => row.id);
}
