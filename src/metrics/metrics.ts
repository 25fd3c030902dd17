/**
 * Prometheus metrics of one worker, on its own registry (never prom-client's global one, so a test
 * process can hold several workers). Queue depth is read from Redis at scrape time, not polled.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueLengths } from '../queue/queue.js';
import type { WorkerEvents } from '../worker/events.js';

export interface WorkerMetrics {
  registry: Registry;
  missionsCompleted: Counter;
  missionsFailed: Counter<'code'>;
  missionsRetried: Counter<'code'>;
  missionsReturned: Counter;
  missionDurationSeconds: Histogram;
  inFlight: Gauge;
  missionsCancelled: Counter;
  missionsSuperseded: Counter<'why'>;
  leasesLost: Counter<'why'>;
  missionsReconciled: Counter;
}

/**
 * Mission wall time buckets in seconds: from a tiny test mission (~1 s) to a million particles over
 * a week with animation (~an hour on 8 cores).
 */
const DURATION_BUCKETS_S = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];

export function createWorkerMetrics(
  labels: { worker_id: string; queue: string },
  readQueue: () => Promise<QueueLengths>,
  readInFlight: () => number,
): WorkerMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry, prefix: 'driftline_' });
  const missionsCompleted = new Counter({ name: 'driftline_missions_completed_total', help: 'Missions this worker completed', registers: [registry] });
  const missionsFailed = new Counter({
    name: 'driftline_missions_failed_total',
    help: 'Missions (or unreadable jobs) this worker failed for good, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const missionsRetried = new Counter({
    name: 'driftline_mission_retries_total',
    help: 'Failed attempts that were retried, by error code',
    labelNames: ['code'],
    registers: [registry],
  });
  const missionsReturned = new Counter({
    name: 'driftline_missions_returned_total',
    help: 'Missions given back to the queue unfinished at shutdown',
    registers: [registry],
  });
  const missionDurationSeconds = new Histogram({
    name: 'driftline_mission_duration_seconds',
    help: 'Wall time of completed missions, claim to completion',
    buckets: DURATION_BUCKETS_S,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: 'driftline_missions_in_flight',
    help: 'Missions this worker is running now',
    registers: [registry],
    collect() {
      this.set(readInFlight());
    },
  });
  const missionsCancelled = new Counter({ name: 'driftline_missions_cancelled_total', help: 'Missions stopped on request', registers: [registry] });
  const missionsSuperseded = new Counter({
    name: 'driftline_missions_superseded_total',
    help: 'Jobs dropped because another attempt owns the mission (fenced, duplicate, lease lost)',
    labelNames: ['why'],
    registers: [registry],
  });
  const leasesLost = new Counter({ name: 'driftline_leases_lost_total', help: 'Times this worker found its lease lost', labelNames: ['why'], registers: [registry] });
  const missionsReconciled = new Counter({
    name: 'driftline_missions_reconciled_total',
    help: 'Missions whose jobs no Redis list held, re-enqueued from PostgreSQL by this worker',
    registers: [registry],
  });
  new Gauge({
    name: 'driftline_queue_depth',
    help: 'Jobs in the queue, in all processing lists, and in the dead-letter list',
    labelNames: ['list'],
    registers: [registry],
    async collect() {
      try {
        const q = await readQueue();
        this.set({ list: 'queue' }, q.queue);
        this.set({ list: 'processing' }, q.processing.reduce((n, p) => n + p.length, 0));
        this.set({ list: 'dead' }, q.dead);
      } catch {
        // Redis unreachable: leave the last values; /healthz reports the outage.
      }
    },
  });
  return {
    registry,
    missionsCompleted,
    missionsFailed,
    missionsRetried,
    missionsReturned,
    missionDurationSeconds,
    inFlight,
    missionsCancelled,
    missionsSuperseded,
    leasesLost,
    missionsReconciled,
  };
}

/** Metrics follow the worker's events; nothing in the worker touches a counter. */
export function attachWorkerMetrics(events: WorkerEvents, m: WorkerMetrics): void {
  events.on('completed', ({ durationSec }) => {
    m.missionsCompleted.inc();
    m.missionDurationSeconds.observe(durationSec);
  });
  events.on('failed', ({ code }) => m.missionsFailed.inc({ code }));
  events.on('cancelled', () => m.missionsCancelled.inc());
  events.on('returned', () => m.missionsReturned.inc());
  events.on('superseded', ({ why }) => m.missionsSuperseded.inc({ why }));
  events.on('retried', ({ code }) => m.missionsRetried.inc({ code }));
  events.on('leaseLost', ({ why }) => m.leasesLost.inc({ why }));
  events.on('reconciled', ({ missionIds }) => m.missionsReconciled.inc(missionIds.length));
}
