/** Prometheus metrics of the API on its own registry (as the worker's, src/metrics/metrics.ts). */
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ApiMetrics {
  registry: Registry;
  requestSeconds: Histogram<'method' | 'route' | 'status'>;
  openStreams: Gauge;
}

/** Request latency buckets in seconds: the status read targets p99 < 50 ms (bench/api.bench.mjs). */
const LATENCY_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export function createApiMetrics(): ApiMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ component: 'api' });
  collectDefaultMetrics({ register: registry, prefix: 'driftline_api_' });
  return {
    registry,
    requestSeconds: new Histogram({
      name: 'driftline_api_request_duration_seconds',
      help: 'HTTP request duration by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS_S,
      registers: [registry],
    }),
    openStreams: new Gauge({ name: 'driftline_api_event_streams', help: 'Open server-sent event streams', registers: [registry] }),
  };
}
