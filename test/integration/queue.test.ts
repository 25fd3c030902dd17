/**
 * The Redis queue protocol (src/queue, Lua in src/queue/lua) against the real Redis, a random queue
 * name per file: claim, ack, lease expiry and reaping, requeue, dead letters and retry.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue, type DeadLetter } from '../../src/queue/queue.js';
import { randomQueue, REDIS_URL, type TestQueue } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait.js';

let tq: TestQueue;
let q: JobQueue;
let blocking: Redis;

beforeAll(async () => {
  tq = await randomQueue('queue');
  q = new JobQueue(tq.redis, tq.name);
  blocking = new Redis(REDIS_URL);
});

afterAll(async () => {
  blocking.disconnect();
  await tq.cleanup();
});

const letter = (raw: string, missionId: string | null): DeadLetter => ({
  mission_id: missionId,
  raw,
  error: { code: 'E_STORAGE', message: 's3 upload: connect ECONNREFUSED' },
  attempts: 3,
  worker_id: 'w',
  failed_at: new Date().toISOString(),
});

describe('claim and ack', () => {
  it('moves a job into the worker\'s processing list and removes it only on ack', async () => {
    await q.register('w1', 't1', 10_000);
    await q.push(['job-a', 'job-b']);
    expect(await q.claim(blocking, 'w1', 0.1)).toBe('job-a');
    expect(await q.processingJobs('w1')).toEqual(['job-a']);
    expect(await tq.redis.lrange(tq.name, 0, -1)).toEqual(['job-b']);
    expect(await q.ack('w1', 'stale-token', 'job-a')).toBe('fenced'); // another lease's token: refused
    expect(await q.processingJobs('w1')).toEqual(['job-a']);
    expect(await q.ack('w1', 't1', 'job-a')).toBe('done');
    expect(await q.ack('w1', 't1', 'job-a')).toBe('missing'); // a second ack finds nothing
    expect(await q.processingJobs('w1')).toEqual([]);
    await q.clear('queue');
  });

  it('returns null when nothing arrives within the poll interval', async () => {
    const t0 = Date.now();
    expect(await q.claim(blocking, 'w1', 0.2)).toBeNull();
    // BLMOVE's timeout is 0.2 s; allow 150 ms early/late for timer granularity and a loaded machine.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
  });
});

/** Until Redis has expired the worker's lease key (its PX is the lease time): the event, not a guess at its time. */
const leaseLapsed = (workerId: string) => waitFor(`the lease of ${workerId} to lapse`, async () => (await tq.redis.exists(q.keys.lease(workerId))) === 0, 5000, 10);

describe('leases and the reaper', () => {
  it('returns a dead worker\'s jobs to the head of the queue, oldest first, once its lease expires', async () => {
    await q.push(['j1', 'j2', 'j3']);
    await q.register('dead', 'td', 300);
    await q.claim(blocking, 'dead', 0.1);
    await q.claim(blocking, 'dead', 0.1);
    expect(await q.reapExpired()).toEqual([]); // lease alive: nothing moves
    await leaseLapsed('dead'); // the 300 ms lease lapses
    expect(await q.reapExpired()).toEqual([{ workerId: 'dead', moved: 2 }]);
    expect(await tq.redis.lrange(tq.name, 0, -1)).toEqual(['j1', 'j2', 'j3']);
    expect(await tq.redis.sismember(q.keys.workers, 'dead')).toBe(0);
    await q.clear('queue');
  });

  it('leaves a live worker alone and skips the caller', async () => {
    await q.push(['k1']);
    await q.register('alive', 'ta', 10_000);
    await q.claim(blocking, 'alive', 0.1);
    expect(await q.renew('alive', 'ta', 10_000)).toBe('renewed');
    expect(await q.reapExpired()).toEqual([]);
    expect(await q.processingJobs('alive')).toEqual(['k1']);
    const l = await q.lengths();
    expect(l.processing).toContainEqual({ workerId: 'alive', length: 1, leaseAlive: true });
    await q.ack('alive', 'ta', 'k1');
    await q.unregister('alive');
    expect(await tq.redis.exists(q.keys.lease('alive'))).toBe(0);
  });
});

describe('lease tokens', () => {
  it('renews only the holder\'s token; a lapsed lease is retaken while unreaped, lost once reaped', async () => {
    await q.register('lw', 'tok-1', 200);
    expect(await q.renew('lw', 'tok-1', 200)).toBe('renewed');
    expect(await q.renew('lw', 'tok-x', 200)).toBe('fenced'); // another process holds this worker id
    await q.push(['l1']);
    await q.claim(blocking, 'lw', 0.1);
    await leaseLapsed('lw'); // the 200 ms lease lapses; nobody has reaped yet
    expect(await q.renew('lw', 'tok-1', 200)).toBe('retaken');
    expect(await q.processingJobs('lw')).toEqual(['l1']);
    await leaseLapsed('lw'); // the retaken 200 ms lease lapses too
    expect(await q.reapExpired()).toEqual([{ workerId: 'lw', moved: 1 }]);
    expect(await q.renew('lw', 'tok-1', 200)).toBe('lost'); // reaped: the job runs elsewhere now
    expect(await q.ack('lw', 'tok-1', 'l1')).toBe('fenced');
    expect(await tq.redis.lrange(tq.name, 0, -1)).toEqual(['l1']);
    await q.clear('queue');
  });

  it('a new registration under the same worker id fences the old token', async () => {
    await q.register('rw', 'old', 10_000);
    await q.register('rw', 'new', 10_000);
    expect(await q.renew('rw', 'old', 10_000)).toBe('fenced');
    expect(await q.renew('rw', 'new', 10_000)).toBe('renewed');
    await q.unregister('rw');
  });
});

describe('reconciliation', () => {
  it('finds the mission ids no list holds, across the queue and every processing list', async () => {
    await q.register('rc', 'trc', 10_000);
    const job = (id: string) => JSON.stringify({ mission_id: id, params: {} });
    await q.push([job('queued-1'), job('claimed-1'), 'not json']);
    await tq.redis.lmove(tq.name, q.keys.processing('rc'), 'RIGHT', 'LEFT'); // 'not json' is claimed
    await tq.redis.lmove(tq.name, q.keys.processing('rc'), 'RIGHT', 'LEFT'); // claimed-1 too
    expect((await q.findUnlisted(['queued-1', 'claimed-1', 'lost-1', 'lost-2'])).sort()).toEqual(['lost-1', 'lost-2']);
    expect(await q.findUnlisted([])).toEqual([]);
    expect(await q.takeSweepTurn('rc', 5000)).toBe(true);
    expect(await q.takeSweepTurn('other', 5000)).toBe(false); // one sweeper per interval
    await tq.redis.del(q.keys.processing('rc'), q.keys.sweepLock);
    await q.unregister('rc');
    await q.clear('queue');
  });
});

describe('requeue', () => {
  it('puts a claimed job back at the head, and never duplicates one it does not hold', async () => {
    await q.register('w2', 't2', 10_000);
    await q.push(['r1', 'r2']);
    await q.claim(blocking, 'w2', 0.1);
    expect(await q.requeue('w2', 'other', 'r1')).toBe('fenced');
    expect(await q.requeue('w2', 't2', 'r1')).toBe('done');
    expect(await q.requeue('w2', 't2', 'r1')).toBe('missing');
    expect(await tq.redis.lrange(tq.name, 0, -1)).toEqual(['r1', 'r2']);
    await q.clear('queue');
  });
});

describe('dead letters', () => {
  it('moves a job to <queue>:dead with its error, and retry puts the raw job back', async () => {
    const raw = JSON.stringify({ mission_id: 'm-dead', params: {} });
    await q.register('w3', 't3', 10_000);
    await q.push([raw]);
    await q.claim(blocking, 'w3', 0.1);
    expect(await q.deadLetter('w3', 'other', raw, letter(raw, 'm-dead'))).toBe('fenced');
    expect(await tq.redis.llen(q.keys.dead)).toBe(0);
    expect(await q.deadLetter('w3', 't3', raw, letter(raw, 'm-dead'))).toBe('done');
    expect(await q.processingJobs('w3')).toEqual([]);
    const [entry] = await q.peek('dead', 10);
    expect(JSON.parse(entry!)).toMatchObject({ mission_id: 'm-dead', raw, error: { code: 'E_STORAGE' } });

    expect(await q.retryDead('nope')).toBeNull();
    expect(await q.retryDead('m-dead')).toBe(raw);
    expect(await tq.redis.llen(q.keys.dead)).toBe(0);
    expect(await tq.redis.lrange(tq.name, 0, -1)).toEqual([raw]);
    await q.clear('queue');
  });

  it('does not dead-letter a job that is no longer in the processing list', async () => {
    expect(await q.deadLetter('w3', 't3', 'ghost', letter('ghost', null))).toBe('missing');
    expect(await tq.redis.llen(q.keys.dead)).toBe(0);
  });

  it('clear empties only the list asked for and reports how many went', async () => {
    await q.register('w4', 't4', 10_000);
    await q.push(['c1', 'c2']);
    await q.claim(blocking, 'w4', 0.1);
    await q.deadLetter('w4', 't4', 'c1', letter('c1', null));
    expect(await q.clear('dead')).toBe(1);
    expect(await q.clear('queue')).toBe(1);
    expect(await q.lengths()).toMatchObject({ queue: 0, dead: 0 });
  });
});
