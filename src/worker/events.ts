/**
 * What a worker reports about its missions, as typed events (after BullMQ's WorkerListener): metrics
 * (src/metrics/metrics.ts attachWorkerMetrics) and the health snapshot subscribe to them, instead of
 * counters bumped inline where things happen.
 */
import { EventEmitter } from 'node:events';

export interface WorkerEventMap {
  /** A job left the queue for this worker (its mission id once parsed). */
  claimed: [{ missionId: string | null }];
  /** An attempt started (attempt = the mission's attempt number). */
  started: [{ missionId: string; attempt: number }];
  completed: [{ missionId: string; durationSec: number }];
  /** Failed for good (dead-lettered), or an unreadable job. */
  failed: [{ missionId: string | null; code: string }];
  /** An attempt failed and will be retried. */
  retried: [{ missionId: string; code: string }];
  /** Stopped on request (POST /missions/:id/cancel). */
  cancelled: [{ missionId: string }];
  /** Handed back to the queue unfinished (shutdown). */
  returned: [{ missionId: string | null }];
  /** Dropped: another attempt owns the mission (lease lost, claim fenced, or a duplicate job). */
  superseded: [{ missionId: string; why: string }];
  /** The lease was lost with these missions in flight. */
  leaseLost: [{ why: string; missionIds: Array<string | null> }];
  /** Rows whose jobs no Redis list held, re-enqueued from PostgreSQL. */
  reconciled: [{ missionIds: string[] }];
  /** Something went wrong that the worker survives (shown in /healthz). */
  error: [{ message: string }];
}

export class WorkerEvents extends EventEmitter<WorkerEventMap> {}
