/**
 * Cancellation, the worker's side (the API's POST /missions/:id/cancel sets cancel_requested_at, or
 * marks a queued mission cancelled): a running mission stops within about one progress interval and
 * ends `cancelled`, not failed and not dead-lettered; a queued job of a cancelled mission is dropped
 * when claimed. Real worker process, shared Redis (a random queue), PostgreSQL schema and s3rver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { job, startFleet, type Fleet } from '../helpers/fleet.js';
import { TEST_RUNNER, waitFor } from '../helpers/processes.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet('cancel');
});

afterAll(async () => {
  await fleet?.close();
});

describe('cancel', () => {
  it('stops a running mission within a second of the request and drops a cancelled queued one', async () => {
    // A 30 s mission, so only the cancel can end it soon. PROGRESS_INTERVAL_SECONDS is 0.2 here.
    const w = fleet.spawn('cancel-1', { TEST_RUNNER_MS: '30000' }, TEST_RUNNER);
    await w.started();
    await fleet.push([job('c-run')]);
    await fleet.waitForStatus('c-run', 'processing');
    await w.waitForLog((l) => l.msg === 'mission started' && l.mission_id === 'c-run');
    const requestedAt = Date.now();
    await fleet.db.pool.query(`UPDATE missions SET cancel_requested_at = now() WHERE id = 'c-run'`);
    const m = await fleet.waitForStatus('c-run', 'cancelled', 10_000);
    const tookMs = Date.now() - requestedAt;
    // One progress interval (0.2 s) to see it, the runner's 0.1 s step to stop, the write: well
    // under a second; 3 s leaves room for a loaded 2-core machine.
    expect(tookMs).toBeLessThan(3000);
    expect(m).toMatchObject({ status: 'cancelled', claim_token: null });
    expect(await fleet.results('c-run')).toEqual([]);
    expect(fleet.runs('c-run')).toEqual({ starts: 1, ends: 0 });

    // Queued and cancelled before any worker got it (what the API does for a queued mission).
    await fleet.db.pool.query(`INSERT INTO missions (id, status, params, cancel_requested_at, completed_at) VALUES ('c-queued', 'cancelled', '{}', now(), now())`);
    await fleet.push([job('c-queued')]);
    await w.waitForLog((l) => l.msg === 'mission was cancelled; its job dropped' && l.mission_id === 'c-queued');
    expect(fleet.runs('c-queued')).toEqual({ starts: 0, ends: 0 });
    await waitFor('queue and processing list empty', async () => {
      const l = await fleet.queue.lengths();
      return l.queue === 0 && l.dead === 0 && l.processing.every((p) => p.length === 0);
    });
    const metrics = await (await fetch(`http://127.0.0.1:${await w.started()}/metrics`)).text();
    expect(metrics).toMatch(/^driftline_missions_cancelled_total\{[^}]*\} 2$/m);
    w.kill('SIGTERM');
    expect((await w.exited).code).toBe(0);
  });
});
