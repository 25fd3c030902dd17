/**
 * An isolated fleet for one test file: a random queue name on the shared Redis, a fresh schema on
 * the shared PostgreSQL (migrated by the workers themselves, MIGRATE_ON_START), an s3rver with a
 * bucket name of its own (created by the workers), and worker child processes with short lease,
 * heartbeat and poll times so faults resolve in seconds.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { getMission, getMissionResults, type MissionResultRow, type MissionRow } from '../../src/db/queries/index.js';
import { JobQueue } from '../../src/queue/queue.js';
import { freshSchema, type TestSchema } from './pg.js';
import { WorkerProcess, runCli, waitFor, type CliResult } from './processes.js';
import { randomQueue, type TestQueue } from './redis.js';
import { startS3, type TestS3 } from './s3.js';

/**
 * Timings for tests: a dead worker's jobs return within LEASE + HEARTBEAT = 2.5 s; retries wait
 * 200 ms, 400 ms (±20 %). Production defaults are 30 s / 5 s / 1 s.
 */
export const FAST_ENV = {
  LEASE_SECONDS: '2',
  HEARTBEAT_SECONDS: '0.5',
  POLL_INTERVAL: '0.5',
  RETRY_BASE_MS: '200',
  RETRY_MAX_MS: '1000',
  PROGRESS_INTERVAL_SECONDS: '0.2',
  METRICS_PORT: '0',
  LOG_LEVEL: 'info',
  SIM_THREADS: '1',
};

export interface Fleet {
  q: TestQueue;
  queue: JobQueue;
  db: TestSchema;
  s3: TestS3;
  dir: string;
  runnerLog: string;
  env: Record<string, string>;
  workers: WorkerProcess[];
  spawn(id: string, extraEnv?: Record<string, string>, runner?: string): WorkerProcess;
  cli(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  push(jobs: unknown[]): Promise<void>;
  mission(id: string): Promise<MissionRow | null>;
  results(id: string): Promise<MissionResultRow[]>;
  waitForStatus(id: string, status: MissionRow['status'], timeoutMs?: number): Promise<MissionRow>;
  /** "start"/"end" lines the test runner wrote for a mission. */
  runs(id: string): { starts: number; ends: number };
  close(): Promise<void>;
}

export function job(missionId: string, params: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mission_id: missionId,
    params: { latitude: 60, longitude: 4.5, start_time: '2024-01-01T00:00:00Z', duration_hours: 2, num_particles: 50, ...params },
  };
}

export async function startFleet(prefix: string, extraEnv: Record<string, string> = {}): Promise<Fleet> {
  const [q, db, s3] = await Promise.all([randomQueue(prefix), freshSchema(prefix, { migrate: false }), startS3({ createBucket: false })]);
  const dir = mkdtempSync(path.join(os.tmpdir(), `driftline-${prefix}-`));
  const runnerLog = path.join(dir, 'runner.log');
  const env = { ...q.env, ...db.env, ...s3.env, ...FAST_ENV, WORK_DIR: path.join(dir, 'work'), TEST_RUNNER_LOG: runnerLog, ...extraEnv };
  const workers: WorkerProcess[] = [];
  const fleet: Fleet = {
    q,
    queue: new JobQueue(q.redis, q.name),
    db,
    s3,
    dir,
    runnerLog,
    env,
    workers,
    spawn(id, more = {}, runner) {
      const w = new WorkerProcess(id, { ...env, ...more }, runner);
      workers.push(w);
      return w;
    },
    cli: (args, more = {}) => runCli(args, { ...env, ...more }),
    async push(jobs) {
      await fleet.queue.push(jobs.map((j) => (typeof j === 'string' ? j : JSON.stringify(j))));
    },
    mission: (id) => getMission(db.pool, id),
    results: (id) => getMissionResults(db.pool, id),
    waitForStatus: (id, status, timeoutMs = 20_000) =>
      waitFor(`mission ${id} ${status}`, async () => {
        const m = await getMission(db.pool, id).catch(() => null); // the schema appears when a worker migrates
        return m?.status === status ? m : null;
      }, timeoutMs),
    runs(id) {
      let lines: string[] = [];
      try {
        lines = readFileSync(runnerLog, 'utf8').split('\n');
      } catch {
        // no run yet
      }
      return {
        starts: lines.filter((l) => l.startsWith(`start ${id} `)).length,
        ends: lines.filter((l) => l.startsWith(`end ${id} `)).length,
      };
    },
    async close() {
      await Promise.all(workers.map((w) => w.destroy()));
      await Promise.allSettled([q.cleanup(), db.drop(), s3.close()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return fleet;
}
