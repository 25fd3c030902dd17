/**
 * Chaos, bounded and self-stopping, on private servers (issue 11): 3 worker processes and 50 small
 * missions, while the test SIGKILLs a worker every few seconds (and restarts it under the same
 * WORKER_ID, as a container would), SIGSTOPs one past its lease and wakes it, restarts Redis (AOF,
 * fsync every second), takes S3 away for 20 s, and restarts PostgreSQL. Then: 0 missions lost, exactly
 * one result set per mission (one attempt's prefix, nothing else under the mission in S3 but its
 * fixed-key aliases), and every sha256 in mission_results matching the bytes in S3.
 *
 * Every server here is this test's own (redis-server, initdb + pg_ctl, s3rver on 127.0.0.1 ports it
 * picked); the shared 6379/5432 servers are not touched.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createPool } from '../../src/db/pool.js';
import { getMissionResults, insertQueuedMission } from '../../src/db/queries/index.js';
import { JobQueue } from '../../src/queue/queue.js';
import { FAST_ENV, job } from '../helpers/fleet.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/pg-server.js';
import { TEST_RUNNER, WorkerProcess, waitFor } from '../helpers/processes.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { startS3, type TestS3 } from '../helpers/s3.js';

const MISSIONS = 50;
const WORKERS = ['chaos-1', 'chaos-2', 'chaos-3'];
/** Each mission's run: long enough that kills and the stop land mid-mission, short enough for CI. */
const RUNNER_MS = 1000;
/** The whole test gives up after this (a stuck mission fails it instead of hanging CI). */
const DEADLINE_MS = 200_000;

let pgServer: PrivatePostgres | undefined;
let redisServer: PrivateRedis | undefined;
let s3: TestS3 | undefined;
let observer: pg.Pool | undefined;
let redis: Redis | undefined;
let dir = '';
const workers = new Map<string, WorkerProcess>();
/** Every process spawned, killed ones included (their logs tell what the chaos did to them). */
const spawned: WorkerProcess[] = [];

beforeAll(async () => {
  await Promise.all([
    startPrivatePostgres().then((v) => (pgServer = v)),
    startPrivateRedis('aof-everysec').then((v) => (redisServer = v)),
    startS3({ createBucket: false }).then((v) => (s3 = v)),
  ]);
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-chaos-'));
}, 60_000);

afterAll(async () => {
  await Promise.all([...workers.values()].map((w) => w.destroy()));
  redis?.disconnect();
  await observer?.end().catch(() => undefined);
  await Promise.allSettled([pgServer?.close(), redisServer?.close(), s3?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

// The chaos runs on a timeline (faults at fixed times after the start, outages of fixed length): the
// times are the scenario under test, not waits for something to happen; the end is awaited on events.
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('chaos', () => {
  it('loses nothing and mixes nothing through kills, a stall past the lease, and Redis, S3 and PostgreSQL restarts', async () => {
    if (!pgServer || !redisServer || !s3) throw new Error('servers did not start');
    const pgs = pgServer;
    const rs = redisServer;
    const store = s3;
    const db = { DATABASE_URL: pgs.url, DATABASE_SCHEMA: 'driftline' };
    const env: Record<string, string> = {
      ...FAST_ENV,
      ...db,
      ...store.env,
      REDIS_URL: rs.url,
      QUEUE_NAME: 'chaos',
      MAX_CONCURRENT_JOBS: '2',
      // Kills cost attempts; a mission killed this often is rare, failing it would be a false alarm.
      MAX_ATTEMPTS: '20',
      TEST_RUNNER_MS: String(RUNNER_MS),
      TEST_RUNNER_LOG: path.join(dir, 'runner.log'),
      WORK_DIR: path.join(dir, 'work'),
      STORAGE_RETRY_SECONDS: '120',
      RECONCILE_INTERVAL_SECONDS: '2',
      RECONCILE_GRACE_SECONDS: '8',
      SHUTDOWN_GRACE_SECONDS: '5',
    };
    const spawn = (id: string) => {
      const w = new WorkerProcess(id, env, TEST_RUNNER);
      workers.set(id, w);
      spawned.push(w);
      return w;
    };
    for (const id of WORKERS) spawn(id);
    await Promise.all([...workers.values()].map((w) => w.started(60_000)));

    observer = createPool(loadConfig(db), { applicationName: 'driftline-test:chaos', max: 2, connectTimeoutMs: 1000 });
    redis = new Redis(rs.url, { maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    const queue = new JobQueue(redis, 'chaos');
    const ids = Array.from({ length: MISSIONS }, (_, i) => `chaos-${i}`);
    // As `driftline push` does: the row first (PostgreSQL is the source of truth), then the job.
    for (const id of ids) await insertQueuedMission(observer, id, job(id).params);
    await queue.push(ids.map((id) => JSON.stringify(job(id))));

    const events: string[] = [];
    const t0 = Date.now();
    const at = (ms: number) => sleep(Math.max(0, t0 + ms - Date.now()));
    const stalled = 'chaos-2';
    const stalledProcess = workers.get(stalled);
    const chaos = (async () => {
      await at(3000);
      // SIGSTOP for 2.5 leases: the reaper hands its jobs to the others, then it wakes up fenced.
      workers.get(stalled)?.kill('SIGSTOP');
      events.push('SIGSTOP chaos-2');
      await at(8000);
      workers.get(stalled)?.kill('SIGCONT');
      events.push('SIGCONT chaos-2');
    })();
    const kills = (async () => {
      let n = 0;
      for (let t = 2000; t <= 40_000; t += 4000) {
        await at(t);
        const id = WORKERS.filter((w) => w !== stalled || t > 9000)[n++ % 3] ?? 'chaos-1';
        const w = workers.get(id);
        if (!w) continue;
        w.kill('SIGKILL');
        await w.exited;
        events.push(`SIGKILL ${id}`);
        spawn(id);
      }
    })();
    const outages = (async () => {
      await at(12_000);
      await rs.restart(500);
      events.push('redis restarted');
      await at(16_000);
      await store.stop();
      events.push('s3 down');
      await at(36_000);
      await store.restart();
      events.push('s3 up (20 s)');
      await at(40_000);
      await pgs.stop();
      events.push('postgresql down');
      await sleep(3000);
      await pgs.start();
      events.push('postgresql up');
    })();
    await Promise.all([chaos, kills, outages]);

    // Every mission completes.
    await waitFor(
      'all missions completed',
      async () => {
        const r = await observer!.query<{ n: number }>(`SELECT count(*)::int AS n FROM missions WHERE status = 'completed'`).catch(() => null);
        return r !== null && r.rows[0]?.n === MISSIONS;
      },
      Math.max(1000, DEADLINE_MS - (Date.now() - t0)),
      500,
    );
    const statuses = await observer.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM missions GROUP BY status`);
    expect(statuses.rows).toEqual([{ status: 'completed', n: MISSIONS }]);

    // Every job acknowledged (the fixed-key aliases are written before the ack, after the row turns completed).
    await waitFor('processing lists empty', async () => (await queue.lengths()).processing.every((p) => p.length === 0), 30_000);

    // Exactly one result set per mission, matching S3 byte for byte, and nothing else in S3.
    const problems: string[] = [];
    let objects = 0;
    for (const id of ids) {
      const results = await getMissionResults(observer, id);
      if (results.map((r) => r.kind).sort().join() !== 'summary,trajectory') problems.push(`${id}: result kinds ${results.map((r) => r.kind).join()}`);
      const prefixes = new Set(results.map((r) => r.uri.split('/')[4]));
      if (prefixes.size !== 1) problems.push(`${id}: ${prefixes.size} attempt prefixes`);
      const keep = new Set<string>();
      for (const r of results) {
        const key = r.uri.replace(`s3://${store.bucket}/`, '');
        const alias = `${id}/${key.split('/').slice(2).join('/')}`;
        for (const k of [key, alias]) {
          const body = await store.get(k).catch(() => null);
          if (body === null) problems.push(`${id}: ${k} missing`);
          else if (createHash('sha256').update(body).digest('hex') !== r.sha256) problems.push(`${id}: ${k} sha256 differs from mission_results`);
          else objects++;
          keep.add(k);
        }
      }
      const listed = await store.client.send(new ListObjectsV2Command({ Bucket: store.bucket, Prefix: `${id}/` }));
      const extra = (listed.Contents ?? []).map((o) => o.Key ?? '').filter((k) => !keep.has(k));
      if (extra.length > 0) problems.push(`${id}: objects of another attempt: ${extra.join(', ')}`);
    }
    expect(problems).toEqual([]);

    // No job left anywhere, nothing dead-lettered.
    const lengths = await queue.lengths();
    expect([lengths.queue, lengths.dead]).toEqual([0, 0]);

    const runLines = readFileSync(env.TEST_RUNNER_LOG!, 'utf8').split('\n').filter((l) => l.startsWith('start '));
    const logs = spawned.flatMap((w) => w.logs);
    // The stalled worker woke up to find its lease lost, and stopped its missions (which others ran).
    expect(stalledProcess?.logs.some((l) => /^lease lost/.test(l.msg))).toBe(true);
    console.log(
      `chaos: ${MISSIONS} missions completed in ${((Date.now() - t0) / 1000).toFixed(0)} s; ${runLines.length} runs started; ` +
        `${objects} objects verified; events: ${events.join(', ')}; ` +
        `superseded: ${logs.filter((l) => /superseded|running on another worker/.test(l.msg)).length}, ` +
        `lease lost: ${logs.filter((l) => /^lease lost/.test(l.msg)).length}, ` +
        `reconciled: ${logs.filter((l) => /^reconciliation/.test(l.msg)).length}`,
    );
    for (const w of workers.values()) w.kill('SIGTERM');
    for (const w of workers.values()) expect((await w.exited).code).toBe(0);
  }, DEADLINE_MS + 30_000);
});
