/**
 * One full garbage collection IDLE_COLLECT_MS after a worker's last mission in flight is done, when the
 * process was started with --expose-gc (the Docker image is): a mission's trajectory and product buffers
 * are freed then, not whenever V8 next collects (a quiet worker allocates little, so that could be much
 * later). With the image's MALLOC_* settings the memory goes back to the system: bench/worker.bench.mjs,
 * 5 missions then 60 s quiet: RSS 129-137 MB against 116-120 MB idle (anonymous 63-72 against 60-65 MB),
 * and 194-236 MB as plain node (external buffers of 18-56 MB still waiting for a collection).
 */
import type { Logger } from '../logger.js';

/**
 * Wait after the last mission before collecting: the next job of a busy queue is usually claimed within
 * this, and then no collection is needed.
 */
export const IDLE_COLLECT_MS = 2000;

export class IdleCollector {
  private timer: NodeJS.Timeout | undefined;

  /** `inFlight`: missions running now, read again when the timer fires. */
  constructor(
    private readonly inFlight: () => number,
    private readonly log: Logger,
  ) {}

  /** A mission ended; with none left, collect once after IDLE_COLLECT_MS (a later end restarts the wait). */
  missionEnded(): void {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc === undefined || this.inFlight() > 0) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      // A full collection blocks this thread for tens of milliseconds: only with nothing running.
      if (this.inFlight() > 0) return;
      const before = process.memoryUsage();
      gc();
      const after = process.memoryUsage();
      const mb = (b: number) => Math.round(b / 2 ** 20);
      this.log.info(
        { heap_used_mb: [mb(before.heapUsed), mb(after.heapUsed)], external_mb: [mb(before.external), mb(after.external)], rss_mb: [mb(before.rss), mb(after.rss)] },
        'collected garbage after the last mission (before, after)',
      );
    }, IDLE_COLLECT_MS);
    this.timer.unref();
  }
}
