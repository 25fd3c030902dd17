/**
 * A worker started with --expose-gc (as the Docker image starts it) runs one full collection once its
 * last mission is done (src/worker/idle-gc.ts), so the mission's buffers go back at once;
 * one started without it never tries. Real worker processes on real Redis, PostgreSQL and s3rver.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { job, startFleet, type Fleet } from '../helpers/fleet.js';
import { TEST_RUNNER, type LogLine } from '../helpers/processes.js';

let fleet: Fleet;

beforeAll(async () => {
  fleet = await startFleet('idlegc');
});

afterAll(async () => {
  await fleet?.close();
});

describe('collection after the last mission', () => {
  it('collects once after the mission completed, with --expose-gc, and logs what it freed', async () => {
    const w = fleet.spawn('idlegc-a', { NODE_OPTIONS: '--expose-gc' }, TEST_RUNNER);
    await w.started();
    await fleet.push([job('gc-1', { num_particles: 200, duration_hours: 3, products: { animation: false } })]);
    await fleet.waitForStatus('gc-1', 'completed', 60_000);
    const line = await w.waitForLog((l) => l.msg === 'collected garbage after the last mission (before, after)', 20_000);
    // IDLE_COLLECT_MS (2 s) after the mission's end (the worker's own log times, ms), not during it.
    const completed = w.logs.find((l) => l.msg === 'mission completed' && l.mission_id === 'gc-1');
    expect(completed, 'the worker logged the mission completed').toBeDefined();
    const ms = (l: LogLine | undefined): number => {
      const t = l?.['time'];
      return typeof t === 'number' ? t : Date.parse(String(t));
    };
    expect(ms(line) - ms(completed)).toBeGreaterThanOrEqual(2000);
    expect(w.logs.filter((l) => l.msg === line.msg)).toHaveLength(1);
    const heap = line.heap_used_mb as [number, number];
    expect(heap).toHaveLength(2);
    expect(heap[1]).toBeLessThanOrEqual(heap[0]);
    await w.destroy();
  }, 120_000);

  it('never tries without --expose-gc (gc is not there)', async () => {
    const w = fleet.spawn('idlegc-b', {}, TEST_RUNNER);
    await w.started();
    await fleet.push([job('gc-2', { num_particles: 200, duration_hours: 3, products: { animation: false } })]);
    await fleet.waitForStatus('gc-2', 'completed', 60_000);
    // An absence, so a wait of its own: twice IDLE_COLLECT_MS after the mission, still no collection line.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    expect(w.logs.some((l) => l.msg === 'collected garbage after the last mission (before, after)')).toBe(false);
    await w.destroy();
  }, 120_000);
});
