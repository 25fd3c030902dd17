/**
 * A worker process's lease on its processing list, in one small class (after BullMQ's LockManager):
 * start() takes the lease under a fresh random token, a timer renews it every HEARTBEAT_SECONDS,
 * track()/untrack() keep the jobs this process is running, and close() stops renewing.
 *
 * The token fences this process's Redis writes (ack, dead-letter, requeue: src/queue/lua). When a
 * renewal finds the lease gone — the process stalled past LEASE_SECONDS (SIGSTOP, an event loop blocked
 * by CPU work) and the reaper returned its jobs to the queue — the manager reports the jobs it tracked
 * as lost, so the worker stops them (they run elsewhere now), and takes a new lease under a new token
 * so it can go on claiming. When another process holds the lease under this WORKER_ID, it reports
 * that as 'fenced': two processes share one id, and this one must stop.
 */
import { randomBytes } from 'node:crypto';
import type { JobQueue, RenewResult } from './queue.js';

export type LeaseLoss = 'lost' | 'fenced';

export interface LeaseOptions<T> {
  leaseMs: number;
  renewEveryMs: number;
  /** The lease is gone; `jobs` are the tracked jobs, which must stop (they are someone else's now). */
  onLost: (why: LeaseLoss, jobs: T[]) => void;
  /** A renewal ran `lateMs` behind schedule (the event loop was blocked): a warning sign. */
  onLate?: (lateMs: number) => void;
  /** A renewal failed (Redis down): the lease may lapse if this goes on past leaseMs. */
  onError?: (err: unknown) => void;
  /** After every renewal, lost or not (the worker's periodic maintenance rides on it). */
  afterRenew?: () => Promise<void>;
}

/** A renewal that runs later than a quarter of the lease is worth a warning: four of them lose it. */
const LATE_FRACTION_OF_LEASE = 0.25;

export class LeaseManager<T> {
  private tokenValue = '';
  private readonly jobs = new Map<number, T>();
  private timer: NodeJS.Timeout | null = null;
  private renewing = false;
  private lastRenewAt = 0;
  private closed = false;

  constructor(
    private readonly queue: JobQueue,
    readonly workerId: string,
    private readonly opts: LeaseOptions<T>,
  ) {}

  /** The token of the lease this process holds now (changes after a loss). */
  get token(): string {
    return this.tokenValue;
  }

  /** Take the lease (throws when Redis is down: the caller retries) and start renewing it. */
  async start(): Promise<void> {
    await this.takeNew();
    this.lastRenewAt = Date.now();
    this.timer ??= setInterval(() => void this.renew(), this.opts.renewEveryMs);
  }

  track(id: number, job: T): void {
    this.jobs.set(id, job);
  }

  untrack(id: number): void {
    this.jobs.delete(id);
  }

  tracked(): T[] {
    return [...this.jobs.values()];
  }

  /** One renewal (the timer calls this; tests may too). Overlapping calls are skipped. */
  async renew(): Promise<RenewResult | null> {
    if (this.renewing || this.closed) return null;
    this.renewing = true;
    try {
      const now = Date.now();
      const lateMs = this.lastRenewAt === 0 ? 0 : now - this.lastRenewAt - this.opts.renewEveryMs;
      this.lastRenewAt = now;
      if (lateMs > this.opts.leaseMs * LATE_FRACTION_OF_LEASE) this.opts.onLate?.(lateMs);
      let result: RenewResult;
      try {
        result = await this.queue.renew(this.workerId, this.tokenValue, this.opts.leaseMs);
      } catch (err) {
        this.opts.onError?.(err);
        return null;
      }
      if (result === 'lost' || result === 'fenced') {
        const lost = this.tracked();
        this.jobs.clear();
        this.opts.onLost(result, lost);
        if (result === 'lost' && !this.closed) {
          // Our list was emptied by the reaper: a new lease lets this process claim again.
          await this.takeNew().catch((err: unknown) => this.opts.onError?.(err));
        }
      }
      await this.opts.afterRenew?.().catch((err: unknown) => this.opts.onError?.(err));
      return result;
    } finally {
      this.renewing = false;
    }
  }

  /** Stop renewing (idempotent). The lease then lapses on its own unless the caller unregisters. */
  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async takeNew(): Promise<void> {
    // 96 random bits: two processes never draw the same token.
    const token = randomBytes(12).toString('hex');
    await this.queue.register(this.workerId, token, this.opts.leaseMs);
    this.tokenValue = token;
  }
}
