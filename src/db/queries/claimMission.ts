import { run, type Queryable } from '../pool.js';

/*
 * The claim takes the row only when nobody else holds it: queued, failed (a job pushed again), or
 * processing with a heartbeat older than the lease (its worker died or stalled past its lease, and the
 * reaper gave its job away). The new claim token, "<attempts>:<worker_id>:<nonce>", fences every
 * later write of the attempt it replaces. The nonce keeps tokens unique when attempts goes down
 * again (a shutdown hands an attempt back) or one worker claims two copies of one mission.
 */
const SQL = `
INSERT INTO missions (id, status, params, attempts, worker_id, progress, started_at, heartbeat_at, claim_token)
VALUES ($1, 'processing', $2, 1, $3, 0, now(), now(), '1:' || $3 || ':' || $4)
ON CONFLICT (id) DO UPDATE
  SET status = 'processing', params = EXCLUDED.params, attempts = missions.attempts + 1,
      worker_id = EXCLUDED.worker_id, progress = 0, started_at = now(), heartbeat_at = now(),
      completed_at = NULL, updated_at = now(),
      claim_token = (missions.attempts + 1)::text || ':' || $3 || ':' || $4
  WHERE missions.status IN ('queued', 'failed')
     OR (missions.status = 'processing'
         AND (coalesce(missions.heartbeat_at, missions.updated_at) < now() - make_interval(secs => $5)
              OR missions.worker_id = $6))
RETURNING attempts, claim_token`;

const WHY_NOT = `SELECT status, worker_id, cancel_requested_at IS NOT NULL AS cancel_requested FROM missions WHERE id = $1`;

export type ClaimResult =
  | { attempts: number; token: string }
  | 'already-completed'
  | 'cancelled'
  /** Another worker runs this mission now (its heartbeat is fresh): this job is a duplicate. */
  | { busyWith: string | null };

/**
 * A worker starts an attempt: the row becomes `processing` (created if the producer did not make
 * one), attempts + 1, with a new claim token. A `completed` or `cancelled` mission is not touched,
 * nor one another worker is running (heartbeat within `staleAfterSeconds`, normally LEASE_SECONDS),
 * unless `takeOverFrom` names that worker: the caller checked in Redis that it no longer holds the
 * mission's job (the reaper gave it away), so its fresh-looking heartbeat is its last gasp.
 */
export async function claimMission(
  db: Queryable,
  missionId: string,
  params: unknown,
  workerId: string,
  nonce: string,
  staleAfterSeconds: number,
  takeOverFrom: string | null = null,
): Promise<ClaimResult> {
  const r = await run<{ attempts: number; claim_token: string }>(db, 'claim mission', SQL, [
    missionId,
    JSON.stringify(params),
    workerId,
    nonce,
    staleAfterSeconds,
    takeOverFrom,
  ]);
  const row = r.rows[0];
  if (row !== undefined) return { attempts: row.attempts, token: row.claim_token };
  const why = (await run<{ status: string; worker_id: string | null }>(db, 'claim mission: refused', WHY_NOT, [missionId])).rows[0];
  if (why?.status === 'completed') return 'already-completed';
  if (why?.status === 'cancelled') return 'cancelled';
  return { busyWith: why?.worker_id ?? null };
}
