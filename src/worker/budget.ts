/**
 * Admission control: the worker's missions share one memory budget (WORKER_MEMORY_MB). A mission
 * starts only when its estimated peak (src/mission/estimate.ts) fits beside the missions already
 * running; otherwise it waits, its job held in this worker's processing list under a live lease, until
 * enough memory is released. Waiters are served first come, first served, so a large mission is not
 * starved by a stream of small ones. A mission larger than the whole budget is admitted alone (when
 * nothing else runs), so a budget smaller than MAX_MISSION_MB cannot wedge the worker.
 */
export class MemoryBudget {
  private usedBytes = 0;
  private running = 0;
  private readonly waiters: Array<{ bytes: number; grant: () => void }> = [];

  constructor(readonly totalBytes: number) {}

  get inUseBytes(): number {
    return this.usedBytes;
  }

  /** Resolves with a release function once `bytes` fit; rejects if `signal` aborts first. */
  acquire(bytes: number, signal?: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.usedBytes += bytes;
        this.running++;
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.usedBytes -= bytes;
          this.running--;
          this.drain();
        });
      };
      const waiter = { bytes, grant };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
        this.drain();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.drain();
    });
  }

  /**
   * Counts `bytes` more for a mission that already runs, at once and whatever the budget: memory it has
   * allocated beyond its admission estimate (the planes of an ensemble forcing file, known only once the
   * file is read; src/mission/estimate.ts forcingMemory). Later missions wait for it. Returns its release.
   */
  hold(bytes: number): () => void {
    this.usedBytes += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.usedBytes -= bytes;
      this.drain();
    };
  }

  private fits(bytes: number): boolean {
    return this.usedBytes + bytes <= this.totalBytes || this.running === 0;
  }

  private drain(): void {
    while (this.waiters.length > 0) {
      const next = this.waiters[0];
      if (next === undefined || !this.fits(next.bytes)) return;
      this.waiters.shift();
      next.grant();
    }
  }
}

/**
 * One mission's share of a worker's budget: its admission estimate (acquired before it starts) plus, once
 * its forcing is read, the bytes the forcing holds (an ensemble file's members are in the file, so the
 * admission estimate cannot count them; src/mission/estimate.ts forcingMemory). A retry reads the forcing
 * again and its bytes replace the earlier ones; `release` frees both, once.
 */
export class MissionMemory {
  private forcingRelease: (() => void) | null = null;
  private released = false;

  constructor(
    private readonly budget: MemoryBudget,
    private readonly admitted: () => void,
  ) {}

  /** The loaded forcing's bytes, counted at once (the memory is already allocated). */
  setForcing(bytes: number): void {
    if (this.released) return;
    this.forcingRelease?.();
    this.forcingRelease = this.budget.hold(bytes);
  }

  readonly release = (): void => {
    if (this.released) return;
    this.released = true;
    this.forcingRelease?.();
    this.forcingRelease = null;
    this.admitted();
  };
}
