/**
 * The job queue on Redis: a reliable-queue protocol (BLMOVE into a per-worker processing list, a
 * lease per worker renewed by a heartbeat, a reaper, a dead-letter list). Multi-key steps are Lua
 * scripts (src/queue/lua, contracts in their headers); single commands are called directly.
 *
 * Life of a job:
 *   producer RPUSH <queue>
 *   worker   BLMOVE <queue> -> <queue>:processing:<worker>            (claim: atomic, cannot lose it)
 *   worker   ack-2.lua  LREM <queue>:processing:<worker>               (ack, after the mission row is final)
 *         or dead-letter-3.lua  processing -> <queue>:dead            (failed for good)
 *         or requeue-3.lua      processing -> head of <queue>         (shutdown)
 *   reaper   reap-4.lua  processing of a worker whose lease expired -> head of <queue>
 *
 * Fencing: a worker process holds its lease under a random token (register-2.lua, renewed by
 * renew-2.lua). ack, dead-letter and requeue change nothing unless the lease still holds that
 * token, so a process that stalled past its lease (SIGSTOP, a blocked event loop) and woke up after
 * the reaper gave its jobs away cannot touch them. The mission row in PostgreSQL is fenced the same
 * way by the attempt's claim token (src/db/queries).
 */
import type { Redis } from 'ioredis';
import { queueError } from './connection.js';
import { queueKeys, type QueueKeys } from './keys.js';
import { withQueueCommands, type QueueCommands } from './scripts.js';

export interface DeadLetterError {
  code: string;
  message: string;
  field?: string;
}

/** One entry of `<queue>:dead`. */
export interface DeadLetter {
  /** null when the job had no usable mission_id (unparseable JSON, missing field). */
  mission_id: string | null;
  /** The job exactly as it was pushed, so `driftline retry` re-queues the original. */
  raw: string;
  error: DeadLetterError;
  attempts: number;
  worker_id: string;
  failed_at: string;
}

export interface ProcessingList {
  workerId: string;
  length: number;
  leaseAlive: boolean;
}

export interface QueueLengths {
  queue: number;
  dead: number;
  processing: ProcessingList[];
}

export type ListName = 'queue' | 'dead';

/** What a fenced write did: done, nothing to do (the job was not in the list), or refused (lease lost). */
export type FencedWrite = 'done' | 'missing' | 'fenced';

/** renew-2.lua's answer: see its header. */
export type RenewResult = 'renewed' | 'retaken' | 'lost' | 'fenced';

const fencedWrite = (n: number): FencedWrite => (n === 1 ? 'done' : n === -1 ? 'fenced' : 'missing');

export class JobQueue {
  readonly keys: QueueKeys;
  private readonly redis: Redis & QueueCommands;

  constructor(
    redis: Redis,
    readonly name: string,
  ) {
    this.keys = queueKeys(name);
    this.redis = withQueueCommands(redis);
  }

  private async call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw queueError(operation, err);
    }
  }

  /** Append raw jobs to the tail of the queue; returns the queue length after the push. */
  push(raws: string[]): Promise<number> {
    return this.call('push', () => this.redis.rpush(this.keys.queue, ...raws));
  }

  /**
   * Block up to `timeoutSec` for a job and move it into this worker's processing list in the same
   * step. `blocking` must be a connection used for nothing else (a blocked connection serves no one),
   * created with autoResendUnfulfilledCommands off: if the connection drops mid-claim, ioredis would
   * otherwise leave this promise pending for ever, so the claim fails on 'close' instead. It is only
   * sent on a ready connection, so it never waits in ioredis's offline queue to be sent later.
   */
  async claim(blocking: Redis, workerId: string, timeoutSec: number): Promise<string | null> {
    if (blocking.status !== 'ready') {
      if (blocking.status === 'end') throw queueError('claim', new Error('connection closed'));
      await new Promise<void>((resolve, reject) => {
        const onReady = () => {
          blocking.off('end', onEnd);
          resolve();
        };
        const onEnd = () => {
          blocking.off('ready', onReady);
          reject(queueError('claim', new Error('connection closed')));
        };
        blocking.once('ready', onReady);
        blocking.once('end', onEnd);
      });
    }
    return new Promise((resolve, reject) => {
      const onClose = () => reject(queueError('claim', new Error('connection lost while waiting for a job')));
      blocking.once('close', onClose);
      blocking
        .blmove(this.keys.queue, this.keys.processing(workerId), 'LEFT', 'RIGHT', timeoutSec)
        .then(resolve, (err: unknown) => reject(queueError('claim', err)))
        .finally(() => blocking.off('close', onClose));
    });
  }

  /** Remove a finished job from the processing list (fenced by the lease token). */
  async ack(workerId: string, token: string, raw: string): Promise<FencedWrite> {
    const k = this.keys;
    return fencedWrite(await this.call('ack', () => this.redis.ack(k.processing(workerId), k.lease(workerId), raw, token)));
  }

  /** Give a claimed job back to the head of the queue (fenced by the lease token). */
  async requeue(workerId: string, token: string, raw: string): Promise<FencedWrite> {
    const k = this.keys;
    return fencedWrite(await this.call('requeue', () => this.redis.requeue(k.processing(workerId), k.queue, k.lease(workerId), raw, token)));
  }

  /** Move a claimed job to the dead-letter list with its error (fenced by the lease token). */
  async deadLetter(workerId: string, token: string, raw: string, letter: DeadLetter): Promise<FencedWrite> {
    const k = this.keys;
    const envelope = JSON.stringify(letter);
    return fencedWrite(
      await this.call('dead-letter', () => this.redis.deadLetter(k.processing(workerId), k.dead, k.lease(workerId), raw, envelope, token)),
    );
  }

  /** Take this worker id's lease under a new token and register for the reaper. */
  async register(workerId: string, token: string, leaseMs: number): Promise<void> {
    const k = this.keys;
    await this.call('register', () => this.redis.register(k.lease(workerId), k.workers, workerId, Math.round(leaseMs), token));
  }

  /** Renew the lease held under `token`; see renew-2.lua for what each answer means. */
  async renew(workerId: string, token: string, leaseMs: number): Promise<RenewResult> {
    const k = this.keys;
    const n = await this.call('renew', () => this.redis.renew(k.lease(workerId), k.workers, workerId, Math.round(leaseMs), token));
    return n === 1 ? 'renewed' : n === 2 ? 'retaken' : n === 0 ? 'lost' : 'fenced';
  }

  /** Of these mission ids, the ones no Redis list holds (neither queued nor claimed); one atomic read. */
  findUnlisted(missionIds: string[]): Promise<string[]> {
    if (missionIds.length === 0) return Promise.resolve([]);
    const k = this.keys;
    return this.call('reconcile', () => this.redis.findUnlisted(k.queue, k.workers, k.processing(''), ...missionIds));
  }

  /** How many jobs of this mission a worker's processing list holds (holds-1.lua). */
  holds(workerId: string, missionId: string): Promise<number> {
    return this.call('holds', () => this.redis.holds(this.keys.processing(workerId), missionId));
  }

  /** Take the reconciliation turn for `ms` (one worker sweeps per interval); true when this caller got it. */
  async takeSweepTurn(workerId: string, ms: number): Promise<boolean> {
    return (await this.call('reconcile', () => this.redis.set(this.keys.sweepLock, workerId, 'PX', Math.round(ms), 'NX'))) === 'OK';
  }

  /** Return the jobs of every registered worker whose lease has expired; lists what moved. */
  async reapExpired(exceptWorkerId?: string): Promise<Array<{ workerId: string; moved: number }>> {
    const k = this.keys;
    const workers = await this.call('reap', () => this.redis.smembers(k.workers));
    const reaped: Array<{ workerId: string; moved: number }> = [];
    for (const workerId of workers) {
      if (workerId === exceptWorkerId) continue;
      const moved = await this.call('reap', () => this.redis.reap(k.lease(workerId), k.processing(workerId), k.queue, k.workers, workerId));
      if (moved >= 0) reaped.push({ workerId, moved });
    }
    return reaped;
  }

  /** The jobs in a worker's processing list, oldest claim first. */
  processingJobs(workerId: string): Promise<string[]> {
    return this.call('lrange', () => this.redis.lrange(this.keys.processing(workerId), 0, -1));
  }

  /** A worker that stops cleanly drops its lease and registration (its list must be empty first). */
  async unregister(workerId: string): Promise<void> {
    const k = this.keys;
    await this.call('unregister', () => this.redis.multi().del(k.lease(workerId)).srem(k.workers, workerId).exec());
  }

  async lengths(): Promise<QueueLengths> {
    const k = this.keys;
    const [queue, dead, workers] = await this.call('lengths', () =>
      Promise.all([this.redis.llen(k.queue), this.redis.llen(k.dead), this.redis.smembers(k.workers)]),
    );
    const processing = await Promise.all(
      workers.sort().map(async (workerId) => {
        const [length, lease] = await this.call('lengths', () =>
          Promise.all([this.redis.llen(k.processing(workerId)), this.redis.exists(k.lease(workerId))]),
        );
        return { workerId, length, leaseAlive: lease === 1 };
      }),
    );
    return { queue, dead, processing };
  }

  /** The first `limit` entries of the queue or the dead-letter list. */
  peek(list: ListName, limit: number): Promise<string[]> {
    return this.call('peek', () => this.redis.lrange(list === 'dead' ? this.keys.dead : this.keys.queue, 0, Math.max(0, limit - 1)));
  }

  /** Delete the queue or the dead-letter list; returns how many entries went. Processing lists are never cleared. */
  async clear(list: ListName): Promise<number> {
    const key = list === 'dead' ? this.keys.dead : this.keys.queue;
    const [[, length]] = (await this.call('clear', () => this.redis.multi().llen(key).del(key).exec())) as [[unknown, number]];
    return length;
  }

  /** Move a mission's dead letter back to the queue; returns the raw job, or null if there was none. */
  retryDead(missionId: string): Promise<string | null> {
    return this.call('retry', () => this.redis.retryDead(this.keys.dead, this.keys.queue, missionId));
  }
}
