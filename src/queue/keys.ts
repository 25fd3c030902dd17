/**
 * Redis key names of one queue. Everything lives under the queue name (`QUEUE_NAME`, default
 * `drift_jobs`), so tests isolate themselves with a random queue name and `queue clear` knows its keys.
 *
 *   <queue>                        list  pending raw job texts; producers RPUSH, workers take LEFT
 *   <queue>:processing:<worker>    list  jobs a worker has claimed and not yet acknowledged
 *   <queue>:lease:<worker>         str   the worker's lease token (PX = LEASE_SECONDS), renewed by its heartbeat
 *   <queue>:sweep                  str   who runs the reconciliation sweep this interval (PX, NX)
 *   <queue>:workers                set   worker ids that may own a processing list (for the reaper)
 *   <queue>:dead                   list  dead letters: JSON envelopes with the raw job and its error
 */
export interface QueueKeys {
  queue: string;
  dead: string;
  workers: string;
  sweepLock: string;
  processing(workerId: string): string;
  lease(workerId: string): string;
}

export function queueKeys(queueName: string): QueueKeys {
  return {
    queue: queueName,
    dead: `${queueName}:dead`,
    workers: `${queueName}:workers`,
    sweepLock: `${queueName}:sweep`,
    processing: (workerId) => `${queueName}:processing:${workerId}`,
    lease: (workerId) => `${queueName}:lease:${workerId}`,
  };
}
