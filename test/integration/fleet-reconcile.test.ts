/**
 * Reconciliation (issue 11): Redis without persistence loses every job when it restarts; PostgreSQL,
 * the source of truth, still has their rows. A private redis-server with no AOF and no snapshots is
 * killed and started empty while missions wait and run; the workers' sweep finds the rows whose jobs
 * no Redis list holds and re-enqueues them, and every mission completes once. A row pushed by a
 * producer that died before its push (row, no job) is recovered the same way.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getMission, insertQueuedMission } from '../../src/db/queries/index.js';
import { JobQueue } from '../../src/queue/queue.js';
import { FAST_ENV, job } from '../helpers/fleet.js';
import { freshSchema, type TestSchema } from '../helpers/pg.js';
import { TEST_RUNNER, WorkerProcess, waitFor } from '../helpers/processes.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/redis-server.js';
import { startS3, type TestS3 } from '../helpers/s3.js';

let rs: PrivateRedis | undefined;
let db: TestSchema | undefined;
let s3: TestS3 | undefined;
let redis: Redis | undefined;
let dir = '';
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  await Promise.all([
    startPrivateRedis('none').then((v) => (rs = v)),
    freshSchema('reconcile').then((v) => (db = v)),
    startS3({ createBucket: true }).then((v) => (s3 = v)),
  ]);
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-reconcile-'));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.destroy()));
  redis?.disconnect();
  await Promise.allSettled([rs?.close(), db?.drop(), s3?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('reconciliation', () => {
  it('re-enqueues from PostgreSQL the missions a Redis restart without persistence lost', async () => {
    if (!rs || !db || !s3) throw new Error('servers did not start');
    const env = {
      ...FAST_ENV,
      ...db.env,
      ...s3.env,
      REDIS_URL: rs.url,
      QUEUE_NAME: 'rec',
      MAX_CONCURRENT_JOBS: '1',
      TEST_RUNNER_MS: '1500',
      WORK_DIR: path.join(dir, 'work'),
      RECONCILE_INTERVAL_SECONDS: '1',
      // Longer than the 1.5 s missions and the 2 s lease: a live mission never looks lost.
      RECONCILE_GRACE_SECONDS: '4',
    };
    const w = new WorkerProcess('rec-1', env, TEST_RUNNER);
    workers.push(w);
    await w.started();
    redis = new Redis(rs.url, { maxRetriesPerRequest: null });
    redis.on('error', () => undefined);
    const queue = new JobQueue(redis, 'rec');

    const ids = ['rec-0', 'rec-1', 'rec-2', 'rec-3', 'rec-4'];
    for (const id of ids) await insertQueuedMission(db.pool, id, job(id).params);
    await queue.push(ids.map((id) => JSON.stringify(job(id))));
    // A producer that recorded its mission and died before pushing the job.
    await insertQueuedMission(db.pool, 'rec-orphan', job('rec-orphan').params);

    // One mission running, four waiting: then Redis restarts and forgets them all.
    await w.waitForLog((l) => l.msg === 'mission started' && l.mission_id === 'rec-0');
    await rs.restart(300);
    expect(await redis.llen('rec')).toBe(0);

    for (const id of [...ids, 'rec-orphan']) {
      const m = await waitFor(`${id} completed`, async () => {
        const row = await getMission(db!.pool, id);
        return row?.status === 'completed' ? row : null;
      }, 60_000, 200);
      expect(m.status).toBe('completed');
    }
    const reconciled = w.logs.filter((l) => /^reconciliation/.test(l.msg)).flatMap((l) => l.missions as string[]);
    expect(reconciled).toEqual(expect.arrayContaining(['rec-1', 'rec-2', 'rec-3', 'rec-4', 'rec-orphan']));
    // Nothing re-enqueued twice: each mission has exactly one row and one result set.
    const r = await db.pool.query<{ n: number }>(`SELECT count(DISTINCT mission_id)::int AS n FROM mission_results`);
    expect(r.rows[0]?.n).toBe(ids.length + 1);
    expect(await redis.llen('rec')).toBe(0);
    w.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
  }, 120_000);
});
