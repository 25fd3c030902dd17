/**
 * The worker's loop, pg-boss style: it knows no Redis, SQL or S3. It calls `fetch` (which may block
 * for a poll interval) whenever fewer than `concurrency` items are being handled, hands each item to
 * `handle`, and stops fetching on `stop()`. Everything it touches comes in as functions, so it runs
 * against fakes as easily as against the real queue.
 */
export interface LoopOptions<T> {
  /** Items handled at once (MAX_CONCURRENT_JOBS). */
  concurrency: number;
  /** The next item, or null when none came within the poll interval. */
  fetch: () => Promise<T | null>;
  /** Handle one item; should not throw (an escaped error goes to onHandleError). */
  handle: (item: T) => Promise<void>;
  /** A fetch failed (e.g. Redis down): log, wait, repair. `consecutive` counts failures in a row. */
  onFetchError: (err: unknown, consecutive: number) => Promise<void>;
  onHandleError: (err: unknown, item: T) => void;
  /** An item fetched after stop() was called: give it back rather than start it. */
  returnItem: (item: T) => Promise<void>;
}

export class WorkLoop<T> {
  private readonly active = new Set<Promise<void>>();
  private stopping = false;
  private running: Promise<void> | null = null;

  constructor(private readonly opts: LoopOptions<T>) {}

  get inFlight(): number {
    return this.active.size;
  }

  start(): void {
    this.running ??= this.run();
  }

  /** Stop fetching; resolves once the loop has left its fetch. Items in flight keep running. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
  }

  /** Resolves when no item is being handled. */
  async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  private async run(): Promise<void> {
    let consecutiveErrors = 0;
    while (!this.stopping) {
      if (this.active.size >= this.opts.concurrency) {
        await Promise.race(this.active);
        continue;
      }
      let item: T | null;
      try {
        item = await this.opts.fetch();
        consecutiveErrors = 0;
      } catch (err) {
        if (this.stopping) break;
        await this.opts.onFetchError(err, ++consecutiveErrors);
        continue;
      }
      if (item === null) continue;
      if (this.stopping) {
        await this.opts.returnItem(item);
        break;
      }
      const task: Promise<void> = this.opts
        .handle(item)
        .catch((err: unknown) => this.opts.onHandleError(err, item))
        .finally(() => this.active.delete(task));
      this.active.add(task);
    }
  }
}
