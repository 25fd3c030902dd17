/**
 * PostgreSQL really restarting under a real worker process (issue 2): a private server (initdb +
 * pg_ctl, test/helpers/pg-server.ts) is stopped with `pg_ctl stop -m fast` while a mission runs and
 * again between missions, kept down for seconds, and started again. The worker must keep running and
 * keep its jobs (no failure, no dead letter, no lost job), then finish every mission exactly once.
 * Redis is the shared server (a random queue), S3 an s3rver, the missions the injected test runner.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createPool } from '../../src/db/pool.js';
import { getMission, type MissionRow } from '../../src/db/queries/index.js';
import { JobQueue } from '../../src/queue/queue.js';
import { FAST_ENV, job } from '../helpers/fleet.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/pg-server.js';
import { TEST_RUNNER, WorkerProcess, waitFor, type LogLine } from '../helpers/processes.js';
import { randomQueue, type TestQueue } from '../helpers/redis.js';
import { startS3, type TestS3 } from '../helpers/s3.js';

const WORKER_ID = 'pgr-1';
/**
 * Each mission runs 2.5 s and writes progress every 0.2 s (FAST_ENV): pg_ctl stop takes 0.1-0.5 s
 * here, so m-1 is still running when the server goes, with room for a loaded CI machine.
 */
const RUNNER_MS = 2500;
/** How long PostgreSQL stays down: several of the worker's retry intervals (RETRY_MAX_MS = 1 s). */
const DOWN_MS = 3000;

let server: PrivatePostgres | undefined;
let q: TestQueue | undefined;
let s3: TestS3 | undefined;
let observer: pg.Pool | undefined;
let worker: WorkerProcess | undefined;
let dir = '';
let queue: JobQueue;

beforeAll(async () => {
  // Each one assigned as soon as it exists, so afterAll closes it even if another fails to start.
  await Promise.all([
    startPrivatePostgres().then((v) => (server = v)),
    randomQueue('pgrestart').then((v) => (q = v)),
    startS3({ createBucket: false }).then((v) => (s3 = v)),
  ]);
  if (!server || !q || !s3) throw new Error('unreachable: Promise.all resolved without every service');
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-pgrestart-'));
  queue = new JobQueue(q.redis, q.name);
  const db = { DATABASE_URL: server.url, DATABASE_SCHEMA: 'driftline' };
  observer = createPool(loadConfig(db), { applicationName: 'driftline-test:pg-restart', max: 2, connectTimeoutMs: 1000 });
  worker = new WorkerProcess(
    WORKER_ID,
    {
      ...q.env,
      ...db,
      ...s3.env,
      ...FAST_ENV,
      MAX_CONCURRENT_JOBS: '1',
      TEST_RUNNER_MS: String(RUNNER_MS),
      WORK_DIR: path.join(dir, 'work'),
      TEST_RUNNER_LOG: path.join(dir, 'runner.log'),
    },
    TEST_RUNNER,
  );
});

afterAll(async () => {
  await worker?.destroy();
  await observer?.end().catch(() => undefined);
  // Every step even if an earlier one throws: the private server must not outlive the file.
  await Promise.allSettled([server?.close(), q?.cleanup(), s3?.close()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function waitForStatus(id: string, status: MissionRow['status']): Promise<MissionRow> {
  return waitFor(`mission ${id} ${status}`, async () => {
    const m = await getMission(observer!, id).catch(() => null); // PostgreSQL may still be starting
    return m?.status === status ? m : null;
  });
}

/** "start"/"end" lines the test runner wrote for a mission: a re-run would show twice. */
function runs(id: string): { starts: number; ends: number } {
  const lines = readFileSync(path.join(dir, 'runner.log'), 'utf8').split('\n');
  return { starts: lines.filter((l) => l.startsWith(`start ${id} `)).length, ends: lines.filter((l) => l.startsWith(`end ${id} `)).length };
}

/** Jobs the worker holds or has yet to claim: none may vanish while PostgreSQL is down. */
async function jobsInRedis(): Promise<string[]> {
  const [waiting, processing] = await Promise.all([q!.redis.lrange(queue.keys.queue, 0, -1), queue.processingJobs(WORKER_ID)]);
  return [...waiting, ...processing].map((raw) => (JSON.parse(raw) as { mission_id: string }).mission_id).sort();
}

const missionLog = (msg: string, id: string) => (l: LogLine) => l.msg === msg && l.mission_id === id;

describe('PostgreSQL restarting (a real pg_ctl stop / start)', () => {
  it('keeps the jobs while PostgreSQL is down, then completes every mission exactly once', async () => {
    const w = worker!;
    await w.started();
    await queue.push(['m-1', 'm-2', 'm-3'].map((id) => JSON.stringify(job(id))));

    // 1. Down while m-1 runs: the run itself needs no database, recording its completion does.
    await w.waitForLog(missionLog('mission started', 'm-1'));
    await server!.stop();
    const downAt = Date.now();
    await w.waitForLog(missionLog('record completion failed; retrying', 'm-1'), 10_000);
    // The outage lasts DOWN_MS (what is under test: the worker rides out a long outage), counted from the stop.
    await new Promise((r) => setTimeout(r, Math.max(0, DOWN_MS - (Date.now() - downAt))));
    expect(w.child.exitCode).toBeNull();
    expect(await jobsInRedis()).toEqual(['m-1', 'm-2', 'm-3']);
    expect(await q!.redis.llen(queue.keys.dead)).toBe(0);
    // Timed from the start command: the worker may reconnect before pg_ctl -w notices the server is up.
    const upAt = Date.now();
    await server!.start();
    await w.waitForLog(missionLog('mission completed', 'm-1'), 15_000);
    const recoveryMs = Date.now() - upAt;
    for (const id of ['m-1', 'm-2', 'm-3']) expect((await waitForStatus(id, 'completed')).attempts).toBe(1);

    // 2. Down between missions: the next claim cannot start its attempt until the server is back.
    await server!.stop();
    await queue.push([JSON.stringify(job('m-4'))]);
    await w.waitForLog(missionLog('start attempt failed; retrying', 'm-4'), 10_000);
    // The outage lasts DOWN_MS after the first failed attempt (under test: the claim waits it out).
    await new Promise((r) => setTimeout(r, DOWN_MS));
    expect(w.child.exitCode).toBeNull();
    expect(await jobsInRedis()).toEqual(['m-4']);
    const up2At = Date.now();
    await server!.start();
    await w.waitForLog(missionLog('mission started', 'm-4'), 15_000);
    const claimRecoveryMs = Date.now() - up2At;
    expect((await waitForStatus('m-4', 'completed')).attempts).toBe(1);

    // Nothing lost, nothing twice, nothing failed.
    await waitFor('processing list empty', async () => (await queue.processingJobs(WORKER_ID)).length === 0);
    expect(await queue.lengths()).toMatchObject({ queue: 0, dead: 0 });
    for (const id of ['m-1', 'm-2', 'm-3', 'm-4']) {
      expect(w.logs.filter(missionLog('mission completed', id))).toHaveLength(1);
      expect(runs(id)).toEqual({ starts: 1, ends: 1 });
    }
    expect(w.logs.some((l) => l.msg === 'mission failed' || l.msg === 'attempt failed; retrying')).toBe(false);
    // The pool's idle connections really died with the server (57P01), not just new ones refused.
    expect(w.logs.some((l) => l.msg.startsWith('postgresql connection lost'))).toBe(true);
    console.log(
      `PostgreSQL restart: m-1 recorded ${recoveryMs} ms after pg_ctl start was run (down ${upAt - downAt} ms); ` +
        `m-4 started ${claimRecoveryMs} ms after the second pg_ctl start`,
    );

    w.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
  });
});
