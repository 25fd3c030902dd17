/**
 * Queue semantics with real worker processes (`node dist/cli/main.js worker`) on real Redis,
 * PostgreSQL and s3rver. Missions run through a small real runner (test/helpers/mission-runner.mjs,
 * injected with --runner) that takes TEST_RUNNER_MS and writes two product files, so uploads,
 * sha256 and mission_results are real and a mission's length is under the test's control.
 */
import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { job, startFleet, type Fleet } from '../helpers/fleet.js';
import { TEST_RUNNER, waitFor } from '../helpers/processes.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet('faults');
});

afterAll(async () => {
  await fleet?.close();
});

// A failed test must not leave a worker behind to take the next test's jobs.
afterEach(async () => {
  await Promise.all(fleet.workers.map((w) => w.destroy()));
});

/**
 * Nothing waiting and nothing held. A mission's row turns completed a moment before its worker acks
 * the job (the fixed-key aliases are written in between), so the processing lists get that moment.
 */
async function expectQueueEmpty(): Promise<void> {
  const l = await waitFor('processing lists empty', async () => {
    const now = await fleet.queue.lengths();
    return now.processing.every((p) => p.length === 0) ? now : null;
  }, 10_000).catch(() => fleet.queue.lengths());
  expect(l.queue).toBe(0);
  expect(l.processing.reduce((n, p) => n + p.length, 0)).toBe(0);
}

describe('bad input', () => {
  it('dead-letters invalid JSON and a job without mission_id, fails invalid params naming the field, and keeps serving', async () => {
    const w = fleet.spawn('bad-1', { TEST_RUNNER_MS: '200' }, TEST_RUNNER);
    const port = await w.started();
    await fleet.push([
      '{"mission_id": "m-json", "params": {',
      JSON.stringify({ params: { latitude: 1 } }),
      job('m-lat', { latitude: 95 }),
      job('m-type', { object_type: 'PIW-99' }),
      job('m-good'),
    ]);
    await fleet.waitForStatus('m-good', 'completed');
    const lat = await fleet.waitForStatus('m-lat', 'failed');
    expect(lat.error).toMatch(/^E_JOB_INVALID: params\.latitude: /);
    const type = await fleet.waitForStatus('m-type', 'failed');
    expect(type.error).toMatch(/^E_OBJECT_TYPE: params\.object_type: unknown Leeway category "PIW-99"/);
    // Unreadable JSON that opens with a usable mission_id is recorded on that mission's row.
    const unreadable = await fleet.waitForStatus('m-json', 'failed');
    expect(unreadable.error).toMatch(/^E_JOB_JSON: \(job\): not valid JSON/);

    const dead = (await fleet.queue.peek('dead', 10)).map((d) => JSON.parse(d) as { mission_id: string | null; raw: string; error: { code: string; field?: string } });
    // Two jobs run at once (MAX_CONCURRENT_JOBS 2), so dead letters arrive in either order.
    expect(dead.map((d) => [d.mission_id, d.error.code, d.error.field ?? null]).sort()).toEqual([
      [null, 'E_JOB_INVALID', 'mission_id'],
      ['m-json', 'E_JOB_JSON', '(job)'],
      ['m-lat', 'E_JOB_INVALID', 'params.latitude'],
      ['m-type', 'E_OBJECT_TYPE', 'params.object_type'],
    ]);
    // The raw job is kept exactly as pushed, for an operator to read and retry.
    expect(dead.find((d) => d.error.code === 'E_JOB_JSON')!.raw).toBe('{"mission_id": "m-json", "params": {');
    expect(w.logs.some((l) => l.msg === 'job without a usable mission_id rejected' && l.code === 'E_JOB_INVALID')).toBe(true);
    // Every line about a mission names it.
    expect(w.logs.filter((l) => l.msg === 'mission failed').map((l) => l.mission_id).sort()).toEqual(['m-json', 'm-lat', 'm-type']);

    // Health and metrics of the same worker.
    // The row turns completed a moment before the handler lets go of the job (ack, aliases).
    const health = await waitFor('m-good out of flight', async () => {
      const h = (await (await fetch(`http://127.0.0.1:${port}/healthz`)).json()) as { in_flight: unknown[] };
      return h.in_flight.length === 0 ? h : null;
    });
    expect(health).toMatchObject({ ok: true, worker_id: 'bad-1', state: 'running', in_flight: [], last_error: null });
    expect(typeof (health as { last_claim_at?: unknown }).last_claim_at).toBe('string');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^driftline_missions_completed_total\{[^}]*\} 1$/m);
    expect(metrics).toMatch(/^driftline_missions_failed_total\{code="E_JOB_JSON"[^}]*\} 1$/m);
    expect(metrics).toMatch(/^driftline_missions_failed_total\{code="E_JOB_INVALID"[^}]*\} 2$/m);
    expect(metrics).toMatch(/^driftline_queue_depth\{list="dead"[^}]*\} 4$/m);
    expect(metrics).toMatch(/^driftline_missions_in_flight\{[^}]*\} 0$/m);
    expect(metrics).toMatch(/^driftline_mission_duration_seconds_count\{[^}]*\} 1$/m);

    w.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
    await fleet.queue.clear('dead');
    await expectQueueEmpty();
  });
});

describe('kill -9', () => {
  it('returns a dead worker\'s mission to the queue within about one lease, and it completes once', async () => {
    // A 20 s mission: it is still running when worker b is up and a is killed.
    const a = fleet.spawn('k9-a', { TEST_RUNNER_MS: '20000' }, TEST_RUNNER);
    // Should this test fail half-way, its mission must not come back (a killed worker's list returns
    // to the queue when its lease expires) into the SIGTERM tests that follow.
    onTestFinished(async () => {
      await Promise.all(fleet.workers.map((w) => w.destroy()));
      const k = fleet.queue.keys;
      await fleet.q.redis.del(k.processing('k9-a'), k.processing('k9-b'), k.lease('k9-a'), k.lease('k9-b'));
      await fleet.q.redis.lrem(k.queue, 0, JSON.stringify(job('m-k9')));
    });
    await a.started();
    await fleet.push([job('m-k9')]);
    await a.waitForLog((l) => l.msg === 'mission started' && l.mission_id === 'm-k9');
    // While it runs, the row shows progress and a heartbeat (PROGRESS_INTERVAL_SECONDS 0.2 here).
    const first = await waitFor('progress', async () => {
      const m = await fleet.mission('m-k9');
      return m && m.progress > 0 && m.heartbeat_at ? m : null;
    });
    // ... and both move on while it runs (the next progress writes, 0.2 s apart).
    const later = await waitFor('progress and heartbeat to advance', async () => {
      const m = await fleet.mission('m-k9');
      return m && m.progress > first.progress && m.heartbeat_at && m.heartbeat_at.getTime() > first.heartbeat_at!.getTime() ? m : null;
    }, 10_000);
    expect(later.status).toBe('processing');
    // Worker b is up (idle: the queue is empty) before a dies, so what is timed is the lease, not
    // b's start-up (1-3 s of imports on a loaded 2-core machine).
    const b = fleet.spawn('k9-b', { TEST_RUNNER_MS: '1000' }, TEST_RUNNER);
    await b.started();
    a.kill('SIGKILL');
    const killedAt = Date.now();
    await a.exited;
    await b.waitForLog((l) => l.msg === 'mission started' && l.mission_id === 'm-k9', 15_000);
    const backAfterMs = Date.now() - killedAt;
    // LEASE_SECONDS 2 + one HEARTBEAT 0.5 s for b's reaper + the claim, with 2.5 s to spare for a
    // loaded 2-core machine: "about one lease time".
    expect(backAfterMs).toBeLessThan(5000);
    expect(b.logs.some((l) => l.msg.startsWith('lease of a dead worker expired') && l.dead_worker === 'k9-a')).toBe(true);

    const m = await fleet.waitForStatus('m-k9', 'completed');
    expect(m.attempts).toBe(2);
    expect(m.worker_id).toBe('k9-b');
    expect(fleet.runs('m-k9')).toEqual({ starts: 2, ends: 1 });
    const results = await fleet.results('m-k9');
    expect(results.map((r) => r.kind)).toEqual(['summary', 'trajectory']);
    for (const r of results) {
      const key = r.uri.replace(`s3://${fleet.s3.bucket}/`, '');
      expect(createHash('sha256').update(await fleet.s3.get(key)).digest('hex')).toBe(r.sha256);
    }
    await expectQueueEmpty();
    expect(await fleet.q.redis.sismember(fleet.queue.keys.workers, 'k9-a')).toBe(0);
    b.kill('SIGTERM');
    expect((await b.exited).code).toBe(0);
  });
});

describe('SIGTERM', () => {
  it('lets running missions finish within the grace period, takes nothing new, and exits 0', async () => {
    const w = fleet.spawn('term-1', { TEST_RUNNER_MS: '1500', MAX_CONCURRENT_JOBS: '2', SHUTDOWN_GRACE_SECONDS: '20' }, TEST_RUNNER);
    await w.started();
    await fleet.push([job('m-t1'), job('m-t2'), job('m-t3')]);
    await waitFor('two missions running', async () => w.logs.filter((l) => l.msg === 'mission started').length === 2);
    w.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
    for (const id of ['m-t1', 'm-t2']) expect((await fleet.mission(id))!.status).toBe('completed');
    // The third was never taken: still first in the queue, no row claimed.
    expect(await fleet.q.redis.lrange(fleet.q.name, 0, -1)).toEqual([JSON.stringify(job('m-t3'))]);
    expect(await fleet.queue.processingJobs('term-1')).toEqual([]);
    expect(await fleet.q.redis.sismember(fleet.queue.keys.workers, 'term-1')).toBe(0);

    const next = fleet.spawn('term-2', { TEST_RUNNER_MS: '200' }, TEST_RUNNER);
    await fleet.waitForStatus('m-t3', 'completed');
    next.kill('SIGTERM');
    expect((await next.exited).code).toBe(0);
  });

  it('hands unfinished missions back when the grace period ends (rows queued, attempt not counted)', async () => {
    const w = fleet.spawn('term-3', { TEST_RUNNER_MS: '20000', SHUTDOWN_GRACE_SECONDS: '0.5' }, TEST_RUNNER);
    await w.started();
    await fleet.push([job('m-t4'), job('m-t5')]);
    await waitFor('two missions running', async () => w.logs.filter((l) => l.msg === 'mission started').length === 2);
    w.kill('SIGTERM');
    const t0 = Date.now();
    expect((await w.exited).code).toBe(0);
    // 0.5 s grace + hand-back + closing connections, on a loaded machine.
    expect(Date.now() - t0).toBeLessThan(4000);
    expect((await fleet.q.redis.lrange(fleet.q.name, 0, -1)).sort()).toEqual([JSON.stringify(job('m-t4')), JSON.stringify(job('m-t5'))].sort());
    for (const id of ['m-t4', 'm-t5']) expect(await fleet.mission(id)).toMatchObject({ status: 'queued', attempts: 0, error_code: 'E_CANCELLED' });
    expect(w.logs.filter((l) => l.msg === 'mission handed back to the queue')).toHaveLength(2);
  });

  it('a second signal hands missions back at once', async () => {
    const w = fleet.spawn('term-4', { TEST_RUNNER_MS: '20000', SHUTDOWN_GRACE_SECONDS: '60' }, TEST_RUNNER);
    await w.started();
    await waitFor('two missions running', async () => w.logs.filter((l) => l.msg === 'mission started').length === 2);
    w.kill('SIGTERM');
    await w.waitForLog((l) => l.msg.startsWith('stopping'));
    w.kill('SIGINT');
    const t0 = Date.now();
    expect((await w.exited).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(4000); // not the 60 s grace
    expect(await fleet.q.redis.llen(fleet.q.name)).toBe(2);

    // Nothing lost: a fresh worker completes both, each exactly once to the end.
    const next = fleet.spawn('term-5', { TEST_RUNNER_MS: '200' }, TEST_RUNNER);
    for (const id of ['m-t4', 'm-t5']) {
      const m = await fleet.waitForStatus(id, 'completed');
      expect(m.attempts).toBe(1);
      expect(fleet.runs(id).ends).toBe(1);
    }
    next.kill('SIGTERM');
    expect((await next.exited).code).toBe(0);
    await expectQueueEmpty();
  });
});
