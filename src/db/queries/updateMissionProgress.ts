import { run, type Queryable } from '../pool.js';

const SQL = `
UPDATE missions SET progress = $3, heartbeat_at = now(), updated_at = now()
WHERE id = $1 AND worker_id = $2 AND status = 'processing'`;

/** Progress (0..1) and heartbeat of a running mission; about once a second, never per step. */
export async function updateMissionProgress(db: Queryable, missionId: string, workerId: string, progress: number): Promise<void> {
  const clamped = Math.min(1, Math.max(0, progress));
  await run(db, 'update mission progress', SQL, [missionId, workerId, clamped]);
}
