/**
 * Prometheus metrics of one worker, on its own registry (never prom-client's global one, so a test
 * process can hold several workers). Queue depth is read from Redis at scrape time, not polled.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { QueueLengths } from '../queue/queue.js';

export interface WorkerMetrics {
  registry: Registry;
  missionsCompleted: Counter;
  missionsFailed: Counter<'code'>;
  missionsRetried: Counter<'code'>;
  missionsReturned: Counter;
  missionDurationSeconds: Histogram;
  inFlight: Gauge;
}

/**
 * Mission wall time buckets in seconds: from a tiny test mission (~1 s) to a million particles over
 * a week with animation (~an hour on 8 cores).
 */
const DURATION_BUCKETS_S = [1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 3600];

export function createWorkerMetrics(labels: { worker_id: string; queue: string }, readQueue: () => Promise<QueueLengths>): WorkerMetrics {
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
  const inFlight = new Gauge({ name: 'driftline_missions_in_flight', help: 'Missions this worker is running now', registers: [registry] });
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
  return { registry, missionsCompleted, missionsFailed, missionsRetried, missionsReturned, missionDurationSeconds, inFlight };
}
