/**
 * Migrations and every query, on the real PostgreSQL in a schema of this file's own.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentVersion, migrate, readMigrations } from '../../src/db/migrate.js';
import {
  claimMission,
  completeMission,
  countMissionsByStatus,
  failMission,
  getMission,
  getMissionResults,
  insertQueuedMission,
  listMissions,
  recordAttemptError,
  requeueMission,
  resetMissionForRetry,
  updateMissionProgress,
  type StoredResult,
} from '../../src/db/queries/index.js';
import { freshSchema, type TestSchema } from '../helpers/pg.js';

let db: TestSchema;

beforeAll(async () => {
  db = await freshSchema('db', { migrate: false });
});

afterAll(async () => {
  await db.drop();
});

const result = (kind: string, bytes: number): StoredResult => ({
  kind,
  uri: `s3://b/m/${kind}`,
  bytes,
  contentType: 'application/x-netcdf',
  sha256: 'a'.repeat(64),
});

describe('migrate', () => {
  it('applies every numbered migration once, even with five runners at the same moment', async () => {
    const runs = await Promise.all(Array.from({ length: 5 }, () => migrate(db.config)));
    const applied = runs.flatMap((r) => r.applied.map((a) => a.version));
    const files = readMigrations().map((m) => m.version);
    expect(applied.sort()).toEqual(files);
    expect(await currentVersion(db.pool)).toBe(files.at(-1));
    const again = await migrate(db.config);
    expect(again.applied).toEqual([]);
  });

  it('refuses a migration file that changed after it was applied', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-sql-'));
    try {
      for (const m of readMigrations()) {
        const name = `${String(m.version).padStart(3, '0')}_${m.name}.sql`;
        writeFileSync(path.join(dir, name), m.version === 1 ? `${m.sql}\n-- edited\n` : m.sql);
      }
      await expect(migrate(db.config, pathToFileURL(`${dir}/`))).rejects.toThrow(/001_missions\.sql changed after it was applied/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps sql/ files numbered without gaps', () => {
    const versions = readMigrations().map((m) => m.version);
    expect(versions).toEqual(versions.map((_, i) => i + 1));
    expect(readFileSync(new URL('../../sql/001_missions.sql', import.meta.url), 'utf8')).toMatch(/CREATE TABLE missions/);
  });
});

describe('mission queries', () => {
  it('claim creates the row when the producer did not, and counts attempts', async () => {
    expect(await claimMission(db.pool, 'm1', { latitude: 60 }, 'w1')).toEqual({ attempts: 1 });
    const m = await getMission(db.pool, 'm1');
    expect(m).toMatchObject({ status: 'processing', attempts: 1, worker_id: 'w1', params: { latitude: 60 } });
    expect(m!.started_at).toBeInstanceOf(Date);
    expect(await claimMission(db.pool, 'm1', { latitude: 60 }, 'w2')).toEqual({ attempts: 2 });
  });

  it('progress writes progress and heartbeat_at only for the worker holding the mission', async () => {
    await updateMissionProgress(db.pool, 'm1', 'w2', 0.5);
    await updateMissionProgress(db.pool, 'm1', 'someone-else', 0.9);
    const m = await getMission(db.pool, 'm1');
    // progress is a real (float4): 0.5 is exact in binary.
    expect(m!.progress).toBe(0.5);
    expect(m!.heartbeat_at).toBeInstanceOf(Date);
  });

  it('complete records results once per kind, however often it runs, and drops stale kinds', async () => {
    const report = { warnings: ['FALLBACK FORCING: constant wind'], timingsMs: { simulation: 12 }, particleSteps: 1000 };
    await completeMission(db.pool, 'm1', [result('trajectory', 10), result('animation', 5)], report);
    await completeMission(db.pool, 'm1', [result('trajectory', 11), result('density', 7)], report);
    const rows = await getMissionResults(db.pool, 'm1');
    expect(rows.map((r) => [r.kind, r.bytes])).toEqual([
      ['density', 7],
      ['trajectory', 11],
    ]);
    expect(await getMission(db.pool, 'm1')).toMatchObject({ status: 'completed', progress: 1, error: null, warnings: report.warnings, particle_steps: '1000' });
  });

  it('a completed mission is never claimed again or turned into a failure', async () => {
    expect(await claimMission(db.pool, 'm1', {}, 'w3')).toBe('already-completed');
    await failMission(db.pool, 'm1', { params: {}, attempts: 1, workerId: 'w3', message: 'E_STORAGE: x', code: 'E_STORAGE' });
    expect((await getMission(db.pool, 'm1'))!.status).toBe('completed');
  });

  it('fail creates the row for a job that never got one and keeps the reason', async () => {
    await failMission(db.pool, 'bad', { params: { latitude: 91 }, attempts: 0, workerId: 'w1', message: 'E_JOB_INVALID: params.latitude: Too big', code: 'E_JOB_INVALID' });
    expect(await getMission(db.pool, 'bad')).toMatchObject({ status: 'failed', error: 'E_JOB_INVALID: params.latitude: Too big', error_code: 'E_JOB_INVALID', params: { latitude: 91 } });
    // Non-object params (a producer bug) are still stored.
    await failMission(db.pool, 'bad2', { params: 'oops', attempts: 0, workerId: 'w1', message: 'x', code: 'E_JOB_INVALID' });
    expect((await getMission(db.pool, 'bad2'))!.params).toEqual({ value: 'oops' });
  });

  it('requeue gives the attempt back, only for the holder', async () => {
    await claimMission(db.pool, 'm2', {}, 'w1');
    expect(await requeueMission(db.pool, 'm2', 'w9', 'stop')).toBe(false);
    expect(await requeueMission(db.pool, 'm2', 'w1', 'E_CANCELLED: stop')).toBe(true);
    expect(await getMission(db.pool, 'm2')).toMatchObject({ status: 'queued', attempts: 0, worker_id: null, error_code: 'E_CANCELLED' });
  });

  it('attempt errors show on the row while it is retried', async () => {
    await claimMission(db.pool, 'm3', {}, 'w1');
    await recordAttemptError(db.pool, 'm3', 'w1', 'attempt failed, retrying: E_STORAGE: down', 'E_STORAGE');
    expect(await getMission(db.pool, 'm3')).toMatchObject({ status: 'processing', error_code: 'E_STORAGE' });
  });

  it('a producer\'s queued row never overrides a running or finished mission; a failed one is re-queued', async () => {
    expect(await insertQueuedMission(db.pool, 'm3', {})).toBe(false);
    expect((await getMission(db.pool, 'm3'))!.status).toBe('processing');
    expect(await insertQueuedMission(db.pool, 'bad', { latitude: 50 })).toBe(true);
    expect(await getMission(db.pool, 'bad')).toMatchObject({ status: 'queued', error: null });
    expect(await insertQueuedMission(db.pool, 'new', { latitude: 1 })).toBe(true);
  });

  it('retry reset gives a fresh attempts budget but never touches a completed mission', async () => {
    await failMission(db.pool, 'm3', { params: {}, attempts: 3, workerId: 'w1', message: 'E_STORAGE: down', code: 'E_STORAGE' });
    expect(await resetMissionForRetry(db.pool, 'm3')).toBe(true);
    expect(await getMission(db.pool, 'm3')).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await resetMissionForRetry(db.pool, 'm1')).toBe(false);
  });

  it('lists the newest first, by status, with a limit, and counts by status', async () => {
    const all = await listMissions(db.pool, { limit: 100 });
    expect(all.map((m) => m.id).sort()).toEqual(['bad', 'bad2', 'm1', 'm2', 'm3', 'new']);
    expect(all.map((m) => m.created_at.getTime())).toEqual([...all.map((m) => m.created_at.getTime())].sort((a, b) => b - a));
    expect((await listMissions(db.pool, { status: 'completed', limit: 10 })).map((m) => m.id)).toEqual(['m1']);
    expect(await listMissions(db.pool, { limit: 2 })).toHaveLength(2);
    expect(await countMissionsByStatus(db.pool)).toEqual({ queued: 4, processing: 0, completed: 1, failed: 1 });
  });
});
