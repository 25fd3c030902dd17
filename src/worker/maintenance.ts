/**
 * The fleet's periodic repairs, run by every worker after each lease renewal (so at HEARTBEAT_SECONDS):
 *
 *  - reap: return the jobs of workers whose lease expired to the head of the queue (reap-4.lua);
 *  - orphans: a job in this worker's own processing list that no handler owns for two renewals in a
 *    row (a claim whose reply was lost when the connection broke) goes back to the queue;
 *  - reconcile, every RECONCILE_INTERVAL_SECONDS and by one worker at a time: PostgreSQL is the source
 *    of truth, so a queued or processing row that has not moved for RECONCILE_GRACE_SECONDS and whose
 *    job no Redis list holds (Redis restarted without persistence; a producer died between recording
 *    the mission and pushing its job) is re-enqueued from its row.
 */
import type pg from 'pg';
import { findStaleMissions, requeueStaleMission } from '../db/queries/index.js';
import type { Logger } from '../logger.js';
import type { JobQueue } from '../queue/queue.js';

/** Rows examined per reconciliation sweep: bounds one sweep's Redis scan and PostgreSQL work. */
const RECONCILE_BATCH = 500;

export interface MaintenanceOptions {
  queue: JobQueue;
  pool: pg.Pool;
  workerId: string;
  /** The lease token this process holds now (orphans are handed back under it). */
  leaseToken: () => string;
  /** Raw texts of the jobs this process's handlers own now. */
  owned: () => string[];
  reconcileIntervalMs: number;
  reconcileGraceSeconds: number;
  logger: Logger;
  onReconciled?: (missionIds: string[]) => void;
}

export class Maintenance {
  /** Jobs in our processing list that no handler owned at the previous pass. */
  private suspects = new Set<string>();
  private lastReconcileAt = 0;

  constructor(private readonly o: MaintenanceOptions) {}

  async run(): Promise<void> {
    await this.sweepOrphans();
    for (const r of await this.o.queue.reapExpired(this.o.workerId)) {
      this.o.logger.warn({ dead_worker: r.workerId, jobs: r.moved }, 'lease of a dead worker expired; its jobs are back in the queue');
    }
    const now = Date.now();
    if (this.o.reconcileIntervalMs > 0 && now - this.lastReconcileAt >= this.o.reconcileIntervalMs) {
      this.lastReconcileAt = now;
      await this.reconcile();
    }
  }

  /**
   * Hand back every job in our processing list that no handler owns (a claim whose reply was lost,
   * or leftovers of a previous process with this WORKER_ID). Only safe when no claim is in flight.
   */
  async returnUnowned(): Promise<number> {
    let returned = 0;
    for (const raw of unowned(await this.o.queue.processingJobs(this.o.workerId), this.o.owned())) {
      if ((await this.o.queue.requeue(this.o.workerId, this.o.leaseToken(), raw)) === 'done') returned++;
    }
    if (returned > 0) this.o.logger.warn({ jobs: returned }, 'returned unowned jobs from this worker\'s processing list to the queue');
    return returned;
  }

  /**
   * Safety net for a claim whose reply never arrived: a job that sits unowned in our list for two
   * passes in a row is handed back. A claim in progress owns its job within the same tick its reply
   * arrives, so it never looks unowned for a whole heartbeat interval.
   */
  private async sweepOrphans(): Promise<void> {
    const now = new Set(unowned(await this.o.queue.processingJobs(this.o.workerId), this.o.owned()));
    for (const raw of now) {
      if (this.suspects.has(raw) && unowned([raw], this.o.owned()).length === 1) {
        if ((await this.o.queue.requeue(this.o.workerId, this.o.leaseToken(), raw)) === 'done') {
          this.o.logger.warn('returned an orphaned job (claim reply lost) from this worker\'s processing list to the queue');
          now.delete(raw);
        }
      }
    }
    this.suspects = now;
  }

  /** One reconciliation sweep; returns the mission ids re-enqueued. */
  async reconcile(): Promise<string[]> {
    const { queue, pool, reconcileGraceSeconds: grace } = this.o;
    // One sweeper per interval across the fleet; the turn lapses by itself if this worker dies.
    if (!(await queue.takeSweepTurn(this.o.workerId, Math.max(1000, this.o.reconcileIntervalMs * 0.9)))) return [];
    const candidates = await findStaleMissions(pool, grace, RECONCILE_BATCH);
    if (candidates.length === 0) return [];
    const missing = await queue.findUnlisted(candidates);
    const requeued: string[] = [];
    for (const id of missing) {
      // Conditional on the row still being stale: a claim since the check leaves it alone.
      const params = await requeueStaleMission(pool, id, grace);
      if (params === null) continue;
      await queue.push([JSON.stringify({ mission_id: id, params })]);
      requeued.push(id);
    }
    if (requeued.length > 0) {
      this.o.logger.warn({ missions: requeued, examined: candidates.length }, 'reconciliation: re-enqueued missions whose jobs no Redis list held');
      this.o.onReconciled?.(requeued);
    }
    return requeued;
  }
}

/** The entries of `list` that no running handler accounts for (multiset difference). */
export function unowned(list: string[], owned: string[]): string[] {
  const counts = new Map<string, number>();
  for (const raw of owned) counts.set(raw, (counts.get(raw) ?? 0) + 1);
  return list.filter((raw) => {
    const n = counts.get(raw) ?? 0;
    if (n > 0) counts.set(raw, n - 1);
    return n === 0;
  });
}
