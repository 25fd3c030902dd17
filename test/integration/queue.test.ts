/**
 * The Redis queue protocol (src/queue, Lua in src/queue/lua) against the real Redis, a random queue
 * name per file: claim, ack, lease expiry and reaping, requeue, dead letters and retry.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobQueue, type DeadLetter } from '../../src/queue/queue.js';
import { randomQueue, REDIS_URL, type TestQueue } from '../helpers/redis.js';

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
    await q.push(['job-a', 'job-b']);
    expect(await q.claim(blocking, 'w1', 0.1)).toBe('job-a');
    expect(await q.processingJobs('w1')).toEqual(['job-a']);
    expect(await tq.redis.lrange(tq.name, 0, -1)).toEqual(['job-b']);
    expect(await q.ack('w1', 'job-a')).toBe(true);
    expect(await q.ack('w1', 'job-a')).toBe(false); // a second ack finds nothing
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

describe('leases and the reaper', () => {
  it('returns a dead worker\'s jobs to the head of the queue, oldest first, once its lease expires', async () => {
    await q.push(['j1', 'j2', 'j3']);
    expect(await q.heartbeat('dead', 300)).toBe(false); // first registration: no lease before
    await q.claim(blocking, 'dead', 0.1);
    await q.claim(blocking, 'dead', 0.1);
    expect(await q.reapExpired()).toEqual([]); // lease alive: nothing moves
    await new Promise((r) => setTimeout(r, 400)); // the 300 ms lease lapses
    expect(await q.reapExpired()).toEqual([{ workerId: 'dead', moved: 2 }]);
    expect(await tq.redis.lrange(tq.name, 0, -1)).toEqual(['j1', 'j2', 'j3']);
    expect(await tq.redis.sismember(q.keys.workers, 'dead')).toBe(0);
    await q.clear('queue');
  });

  it('leaves a live worker alone and skips the caller', async () => {
    await q.push(['k1']);
    await q.heartbeat('alive', 10_000);
    await q.claim(blocking, 'alive', 0.1);
    expect(await q.heartbeat('alive', 10_000)).toBe(true);
    expect(await q.reapExpired()).toEqual([]);
    expect(await q.processingJobs('alive')).toEqual(['k1']);
    const l = await q.lengths();
    expect(l.processing).toContainEqual({ workerId: 'alive', length: 1, leaseAlive: true });
    await q.ack('alive', 'k1');
    await q.unregister('alive');
    expect(await tq.redis.exists(q.keys.lease('alive'))).toBe(0);
  });
});

describe('requeue', () => {
  it('puts a claimed job back at the head, and never duplicates one it does not hold', async () => {
    await q.push(['r1', 'r2']);
    await q.claim(blocking, 'w2', 0.1);
    expect(await q.requeue('w2', 'r1')).toBe(true);
    expect(await q.requeue('w2', 'r1')).toBe(false);
    expect(await tq.redis.lrange(tq.name, 0, -1)).toEqual(['r1', 'r2']);
    await q.clear('queue');
  });
});

describe('dead letters', () => {
  it('moves a job to <queue>:dead with its error, and retry puts the raw job back', async () => {
    const raw = JSON.stringify({ mission_id: 'm-dead', params: {} });
    await q.push([raw]);
    await q.claim(blocking, 'w3', 0.1);
    expect(await q.deadLetter('w3', raw, letter(raw, 'm-dead'))).toBe(true);
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
    expect(await q.deadLetter('w3', 'ghost', letter('ghost', null))).toBe(false);
    expect(await tq.redis.llen(q.keys.dead)).toBe(0);
  });

  it('clear empties only the list asked for and reports how many went', async () => {
    await q.push(['c1', 'c2']);
    await q.claim(blocking, 'w4', 0.1);
    await q.deadLetter('w4', 'c1', letter('c1', null));
    expect(await q.clear('dead')).toBe(1);
    expect(await q.clear('queue')).toBe(1);
    expect(await q.lengths()).toMatchObject({ queue: 0, dead: 0 });
  });
});
