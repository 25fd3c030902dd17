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
  cancelRunningMission,
  claimMission,
  completeMission,
  countMissionsByStatus,
  failMission,
  findStaleMissions,
  getMission,
  getMissionResults,
  getMissionsWithResults,
  insertQueuedMission,
  listMissions,
  recordAttemptError,
  recordMissionPlan,
  requeueMission,
  requeueStaleMission,
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
  /** The token of a successful claim (the tests below claim rows no one else holds). */
  const claimToken = async (id: string, worker: string, nonce = 'n0', staleAfterS = 30): Promise<string> => {
    const r = await claimMission(db.pool, id, {}, worker, nonce, staleAfterS);
    if (typeof r === 'string' || 'busyWith' in r) throw new Error(`claim of ${id} refused: ${JSON.stringify(r)}`);
    return r.token;
  };

  it('claim creates the row when the producer did not, counts attempts, and hands out a token', async () => {
    expect(await claimMission(db.pool, 'm1', { latitude: 60 }, 'w1', 'aa', 30)).toEqual({ attempts: 1, token: '1:w1:aa' });
    const m = await getMission(db.pool, 'm1');
    expect(m).toMatchObject({ status: 'processing', attempts: 1, worker_id: 'w1', params: { latitude: 60 }, claim_token: '1:w1:aa' });
    expect(m!.started_at).toBeInstanceOf(Date);
  });

  it('claim refuses a mission another worker runs now, and takes over one whose heartbeat went stale', async () => {
    // w1's heartbeat is fresh (just claimed): a duplicate job elsewhere must not start a second run.
    expect(await claimMission(db.pool, 'm1', { latitude: 60 }, 'w2', 'bb', 30)).toEqual({ busyWith: 'w1' });
    // With a 0 s staleness bound every heartbeat is stale: as if w1 stalled past its lease.
    expect(await claimMission(db.pool, 'm1', { latitude: 60 }, 'w2', 'bb', 0)).toEqual({ attempts: 2, token: '2:w2:bb' });
  });

  it('progress writes only under the token holding the claim, and reports a cancel request', async () => {
    expect(await updateMissionProgress(db.pool, 'm1', '2:w2:bb', 0.5)).toBe('held');
    expect(await updateMissionProgress(db.pool, 'm1', '1:w1:aa', 0.9)).toBe('fenced'); // the replaced attempt
    const m = await getMission(db.pool, 'm1');
    // progress is a real (float4): 0.5 is exact in binary.
    expect(m!.progress).toBe(0.5);
    expect(m!.heartbeat_at).toBeInstanceOf(Date);
    await db.pool.query(`UPDATE missions SET cancel_requested_at = now() WHERE id = 'm1'`);
    expect(await updateMissionProgress(db.pool, 'm1', '2:w2:bb', 0.6)).toBe('cancel');
    await db.pool.query(`UPDATE missions SET cancel_requested_at = NULL WHERE id = 'm1'`);
  });

  it('complete is fenced: the replaced attempt publishes nothing, the holder publishes one result set', async () => {
    const report = { warnings: ['FALLBACK FORCING: constant wind'], timingsMs: { simulation: 12 }, particleSteps: 1000 };
    expect(await completeMission(db.pool, 'm1', '1:w1:aa', [result('trajectory', 99), result('animation', 5)], report)).toBe(false);
    expect(await getMissionResults(db.pool, 'm1')).toEqual([]);
    expect(await completeMission(db.pool, 'm1', '2:w2:bb', [result('trajectory', 11), result('density', 7)], report)).toBe(true);
    // Completed: the row holds no claim any more, so even the winner cannot write twice.
    expect(await completeMission(db.pool, 'm1', '2:w2:bb', [result('trajectory', 12)], report)).toBe(false);
    const rows = await getMissionResults(db.pool, 'm1');
    expect(rows.map((r) => [r.kind, r.bytes])).toEqual([
      ['density', 7],
      ['trajectory', 11],
    ]);
    expect(await getMission(db.pool, 'm1')).toMatchObject({ status: 'completed', progress: 1, error: null, warnings: report.warnings, particle_steps: '1000' });
  });

  it('a completed mission is never claimed again or turned into a failure', async () => {
    expect(await claimMission(db.pool, 'm1', {}, 'w3', 'cc', 0)).toBe('already-completed');
    expect(await failMission(db.pool, 'm1', { params: {}, attempts: 1, workerId: 'w3', message: 'E_STORAGE: x', code: 'E_STORAGE', token: null })).toBe(false);
    expect(await failMission(db.pool, 'm1', { params: {}, attempts: 1, workerId: 'w3', message: 'E_STORAGE: x', code: 'E_STORAGE', token: '2:w2:bb' })).toBe(false);
    expect((await getMission(db.pool, 'm1'))!.status).toBe('completed');
  });

  it('fail creates the row for a job that never got one and keeps the reason', async () => {
    await failMission(db.pool, 'bad', { params: { latitude: 91 }, attempts: 0, workerId: 'w1', message: 'E_JOB_INVALID: params.latitude: Too big', code: 'E_JOB_INVALID', token: null });
    expect(await getMission(db.pool, 'bad')).toMatchObject({ status: 'failed', error: 'E_JOB_INVALID: params.latitude: Too big', error_code: 'E_JOB_INVALID', params: { latitude: 91 } });
    // Non-object params (a producer bug) are still stored.
    await failMission(db.pool, 'bad2', { params: 'oops', attempts: 0, workerId: 'w1', message: 'x', code: 'E_JOB_INVALID', token: null });
    expect((await getMission(db.pool, 'bad2'))!.params).toEqual({ value: 'oops' });
  });

  it('requeue gives the attempt back, only under the holding token', async () => {
    const token = await claimToken('m2', 'w1');
    expect(await requeueMission(db.pool, 'm2', `${token}x`, 'stop')).toBe(false);
    expect(await requeueMission(db.pool, 'm2', token, 'E_CANCELLED: stop')).toBe(true);
    expect(await getMission(db.pool, 'm2')).toMatchObject({ status: 'queued', attempts: 0, worker_id: null, claim_token: null, error_code: 'E_CANCELLED' });
  });

  it('attempt errors show on the row while it is retried; a running mission is cancelled by its holder', async () => {
    const token = await claimToken('m3', 'w1');
    await recordAttemptError(db.pool, 'm3', token, 'attempt failed, retrying: E_STORAGE: down', 'E_STORAGE');
    expect(await getMission(db.pool, 'm3')).toMatchObject({ status: 'processing', error_code: 'E_STORAGE' });
    const t4 = await claimToken('m4', 'w1');
    expect(await cancelRunningMission(db.pool, 'm4', 'not-the-token')).toBe(false);
    expect(await cancelRunningMission(db.pool, 'm4', t4)).toBe(true);
    expect(await getMission(db.pool, 'm4')).toMatchObject({ status: 'cancelled', claim_token: null });
    expect(await claimMission(db.pool, 'm4', {}, 'w2', 'dd', 0)).toBe('cancelled');
  });

  it('a producer\'s queued row never overrides a running or finished mission; a failed one is re-queued', async () => {
    expect(await insertQueuedMission(db.pool, 'm3', {})).toBe(false);
    expect((await getMission(db.pool, 'm3'))!.status).toBe('processing');
    expect(await insertQueuedMission(db.pool, 'bad', { latitude: 50 })).toBe(true);
    expect(await getMission(db.pool, 'bad')).toMatchObject({ status: 'queued', error: null });
    expect(await insertQueuedMission(db.pool, 'new', { latitude: 1 })).toBe(true);
  });

  it('retry reset gives a fresh attempts budget but never touches a completed mission', async () => {
    const token = (await getMission(db.pool, 'm3'))!.claim_token;
    await failMission(db.pool, 'm3', { params: {}, attempts: 3, workerId: 'w1', message: 'E_STORAGE: down', code: 'E_STORAGE', token });
    expect(await resetMissionForRetry(db.pool, 'm3')).toBe(true);
    expect(await getMission(db.pool, 'm3')).toMatchObject({ status: 'queued', attempts: 0 });
    expect(await resetMissionForRetry(db.pool, 'm1')).toBe(false);
  });

  it('reconciliation finds rows that have not moved for the grace period, and re-arms one only while still stale', async () => {
    await db.pool.query(`UPDATE missions SET updated_at = now() - interval '10 minutes' WHERE id IN ('new', 'm2')`);
    expect((await findStaleMissions(db.pool, 60, 100)).sort()).toEqual(['m2', 'new']);
    expect(await findStaleMissions(db.pool, 60, 1)).toHaveLength(1);
    expect(await requeueStaleMission(db.pool, 'new', 60)).toEqual({ latitude: 1 });
    // Re-armed just now: no longer stale, so a second sweep (or a claim in between) changes nothing.
    expect(await requeueStaleMission(db.pool, 'new', 60)).toBeNull();
    expect(await getMission(db.pool, 'new')).toMatchObject({ status: 'queued', error_code: 'E_RECONCILED' });
  });

  it('lists the newest first, by status, with a limit, and counts by status', async () => {
    const all = await listMissions(db.pool, { limit: 100 });
    expect(all.map((m) => m.id).sort()).toEqual(['bad', 'bad2', 'm1', 'm2', 'm3', 'm4', 'new']);
    expect(all.map((m) => m.created_at.getTime())).toEqual([...all.map((m) => m.created_at.getTime())].sort((a, b) => b - a));
    expect((await listMissions(db.pool, { status: 'completed', limit: 10 })).map((m) => m.id)).toEqual(['m1']);
    expect(await listMissions(db.pool, { limit: 2 })).toHaveLength(2);
    expect(await countMissionsByStatus(db.pool)).toEqual({ queued: 4, processing: 0, completed: 1, failed: 1, cancelled: 1 });
  });
});

describe('getMissionsWithResults version (the API keeps a status body while it is unchanged)', () => {
  it('changes with every write to the row or its results, and only then', async () => {
    const version = async (id: string) => {
      const v = (await getMissionsWithResults(db.pool, [id, 'no-such-mission'])).get(id)?.version;
      if (v === undefined) throw new Error(`no mission ${id}`);
      return v;
    };
    expect(await insertQueuedMission(db.pool, 'ver-1', { latitude: 60 })).toBe(true);
    const seen = [await version('ver-1')];
    const changed = async (what: string) => {
      const v = await version('ver-1');
      expect(seen, what).not.toContain(v);
      seen.push(v);
    };
    expect(await version('ver-1')).toBe(seen[0]); // read twice, nothing written: the same
    const claim = await claimMission(db.pool, 'ver-1', {}, 'wv', 'vv', 30);
    if (typeof claim === 'string' || 'busyWith' in claim) throw new Error('claim refused');
    await changed('claimed');
    expect(await updateMissionProgress(db.pool, 'ver-1', claim.token, 0.5)).toBe('held');
    await changed('progress');
    const report = { warnings: [], timingsMs: {}, particleSteps: 10 };
    expect(await completeMission(db.pool, 'ver-1', claim.token, [result('trajectory', 11)], report)).toBe(true);
    await changed('completed with a product');
    // A plan replaces its products and leaves the row as it is (no updated_at bump): the version still moves.
    expect(await recordMissionPlan(db.pool, 'ver-1', ['search_plan'], [result('search_plan', 5)])).not.toBeNull();
    await changed('plan recorded');
    expect(await recordMissionPlan(db.pool, 'ver-1', ['search_plan'], [result('search_plan', 5)])).not.toBeNull();
    await changed('plan replaced by an identical one (new rows)');
    // A row lock alone (FOR UPDATE, as the plan takes) writes nothing: the same.
    const before = await version('ver-1');
    await db.pool.query(`SELECT 1 FROM missions WHERE id = 'ver-1' FOR UPDATE`);
    expect(await version('ver-1')).toBe(before);
  });
});
