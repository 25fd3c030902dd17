/**
 * Services going away under real worker processes: S3 down (retries, then failed + dead letter;
 * `driftline retry` once it is back), Redis restarting (a private redis-server, killed with SIGKILL
 * and started again on the same port and data), PostgreSQL dropping the worker's connections (what a
 * server restart looks like to a client: pg_terminate_backend sends the same 57P01).
 */
import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { JobQueue } from '../../src/queue/queue.js';
import { job, startFleet, type Fleet } from '../helpers/fleet.js';
import { TEST_RUNNER, waitFor } from '../helpers/processes.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { at } from '../helpers/indexed.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet('outages', { MAX_ATTEMPTS: '3' });
});

afterAll(async () => {
  await fleet?.close();
});

/** The results bucket, made here (a worker makes it in the background at start, racing the outage). */
async function ensureBucket(): Promise<void> {
  try {
    await fleet.s3.client.send(new HeadBucketCommand({ Bucket: fleet.s3.bucket }));
  } catch {
    await fleet.s3.client.send(new CreateBucketCommand({ Bucket: fleet.s3.bucket }));
  }
}

afterEach(async () => {
  await Promise.all(fleet.workers.map((w) => w.destroy()));
});

describe('S3 down', () => {
  it('an outage shorter than STORAGE_RETRY_SECONDS costs time, not an attempt: the products wait on disk', async () => {
    await ensureBucket();
    const w = fleet.spawn('s3-0', { TEST_RUNNER_MS: '200', STORAGE_RETRY_SECONDS: '60' }, TEST_RUNNER);
    await w.started();
    await fleet.s3.stop();
    onTestFinished(() => fleet.s3.restart());
    await fleet.push([job('m-s3-short')]);
    // Several upload retries while S3 is down, the mission still processing.
    await w.waitForLog((l) => l.msg === 'upload failed; products kept on disk, retrying' && (l.tries as number) >= 3, 30_000);
    expect((await fleet.mission('m-s3-short'))!.status).toBe('processing');
    await fleet.s3.restart();
    const done = await fleet.waitForStatus('m-s3-short', 'completed', 30_000);
    expect(done.attempts).toBe(1);
    expect(fleet.runs('m-s3-short')).toEqual({ starts: 1, ends: 1 });
    expect(w.logs.some((l) => l.msg === 'attempt failed; retrying' && l.mission_id === 'm-s3-short')).toBe(false);
    expect(await fleet.q.redis.llen(fleet.queue.keys.dead)).toBe(0);
  });

  it('with STORAGE_RETRY_SECONDS=0: retries with backoff, then fails the mission with a dead letter; after S3 is back, driftline retry completes it', async () => {
    await ensureBucket();
    const w = fleet.spawn('s3-1', { TEST_RUNNER_MS: '200', STORAGE_RETRY_SECONDS: '0' }, TEST_RUNNER);
    await w.started();
    await fleet.s3.stop();
    onTestFinished(() => fleet.s3.restart()); // later tests need S3 even if this one fails
    await fleet.push([job('m-s3')]);
    const failed = await fleet.waitForStatus('m-s3', 'failed');
    expect(failed.error).toMatch(/^E_STORAGE: s3 upload s3:\/\/.+\/m-s3\/a3-[0-9a-f]+\/raw\/particles\.nc: /);
    expect(failed.attempts).toBe(3);
    const retries = w.logs.filter((l) => l.msg === 'attempt failed; retrying' && l.mission_id === 'm-s3');
    expect(retries.map((l) => l.attempt)).toEqual([1, 2]);
    // Backoff doubles: 200 ms then 400 ms, each ±20 % jitter.
    expect(retries.map((l) => l.retry_in_ms as number)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(at(retries, 0).retry_in_ms as number).toBeGreaterThanOrEqual(160);
    expect(at(retries, 1).retry_in_ms as number).toBeGreaterThanOrEqual(320);
    // The simulation ran once; only the upload was repeated.
    expect(fleet.runs('m-s3')).toEqual({ starts: 1, ends: 1 });
    const [dead] = (await fleet.queue.peek('dead', 10)).map((d) => JSON.parse(d) as { mission_id: string; attempts: number; error: { code: string } });
    expect(dead).toMatchObject({ mission_id: 'm-s3', attempts: 3, error: { code: 'E_STORAGE' } });

    await fleet.s3.restart();
    const retry = await fleet.cli(['retry', 'm-s3']);
    expect(retry.code, retry.stderr).toBe(0);
    const done = await fleet.waitForStatus('m-s3', 'completed');
    // Aliases are written after the completion, before the ack: wait for the ack.
    await waitFor('m-s3 acknowledged', async () => (await fleet.queue.lengths()).processing.every((p) => p.length === 0));
    expect(done.attempts).toBe(1); // retry gives a fresh budget
    const results = await fleet.results('m-s3');
    expect(results.map((r) => r.kind)).toEqual(['summary', 'trajectory']);
    expect((await fleet.s3.get('m-s3/raw/particles.nc')).length).toBe(results.find((r) => r.kind === 'trajectory')!.bytes);
    expect(await fleet.q.redis.llen(fleet.queue.keys.dead)).toBe(0);

    const again = await fleet.cli(['retry', 'm-s3']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no dead letter/);
  });
});

describe('PostgreSQL connections dropped', () => {
  it('reconnects and completes the running mission and the next one', async () => {
    const w = fleet.spawn('pg-1', { TEST_RUNNER_MS: '2000', MAX_CONCURRENT_JOBS: '1' }, TEST_RUNNER);
    await w.started();
    await fleet.push([job('m-pg1'), job('m-pg2')]);
    await w.waitForLog((l) => l.msg === 'mission started' && l.mission_id === 'm-pg1');
    // Three rounds while the mission runs and writes progress every 0.2 s: each waits until the worker
    // has connected again (its pool reconnects on the next write: a backend not dropped before; a
    // dropped one stays listed until it has exited), then drops its connections.
    const dropped = new Set<number>();
    const newBackends = async () => {
      const r = await fleet.db.pool.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE application_name = $1', ['driftline-worker:pg-1']);
      const pids = r.rows.map((row) => row.pid).filter((pid) => !dropped.has(pid));
      return pids.length > 0 ? pids : null;
    };
    let killed = 0;
    for (let i = 0; i < 3; i++) {
      const pids = await waitFor(`worker pg-1 connected to PostgreSQL again (round ${i + 1})`, newBackends, 10_000, 20);
      const r = await fleet.db.pool.query<{ n: number }>('SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM unnest($1::int[]) pid', [pids]);
      for (const pid of pids) dropped.add(pid);
      killed += r.rows[0]?.n ?? 0;
    }
    expect(killed).toBeGreaterThanOrEqual(3);
    for (const id of ['m-pg1', 'm-pg2']) expect((await fleet.waitForStatus(id, 'completed')).attempts).toBe(1);
    expect(w.logs.some((l) => l.msg.startsWith('postgresql connection lost'))).toBe(true);
  });
});

describe('Redis restarting', () => {
  let redis: PrivateRedis;
  let client: Redis;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    client = new Redis(redis.url);
    client.on('error', () => undefined);
  });

  afterAll(async () => {
    client?.disconnect();
    await redis?.close();
  });

  it('reconnects, finishes the mission it was running, and serves new jobs; nothing lost', async () => {
    const w = fleet.spawn('redis-1', { REDIS_URL: redis.url, TEST_RUNNER_MS: '2000' }, TEST_RUNNER);
    await w.started();
    const q = new JobQueue(client, fleet.q.name);
    await q.push([JSON.stringify(job('m-r1'))]);
    await w.waitForLog((l) => l.msg === 'mission started' && l.mission_id === 'm-r1');
    await redis.restart(1000);
    await q.push([JSON.stringify(job('m-r2'))]);
    for (const id of ['m-r1', 'm-r2']) await fleet.waitForStatus(id, 'completed');
    await waitFor('processing list empty', async () => (await q.processingJobs('redis-1')).length === 0);
    expect(await q.lengths()).toMatchObject({ queue: 0, dead: 0 });
    expect(fleet.runs('m-r1').ends).toBe(1);
    w.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
  });
});
