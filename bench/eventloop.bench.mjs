// How long does a mission block the worker's event loop? A heartbeat (HEARTBEAT_SECONDS, default 5 s)
// and the lease (LEASE_SECONDS, 30 s) live on the main thread, so any block longer than a few seconds
// risks the lease; the target (issue 11, point 5) is no block over 1 s at 1 000 000 particles.
//
// Each case runs `node dist/cli/main.js run <job> --out <tmp>` (the worker's own pipeline, with the
// animation) in a child process preloaded with bench/eventloop-probe.mjs, and prints the longest block
// of the main thread's event loop (monitorEventLoopDelay max, and the largest late tick of a 50 ms
// timer) with the wall time. Run with `npm run bench -- eventloop`. BENCH_EVENTLOOP_SMALL=1 skips the
// 1 000 000-particle case (~1.6 GB of records, ~1-2 min on 2 cores).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireDist, root } from './dist.mjs';

requireDist('cli/main.js');

const base = {
  latitude: 59.3,
  longitude: 4.6,
  start_time: '2024-01-01T12:00:00Z',
  object_type: 'PIW-1',
  radius_m: 500,
  forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } },
};
const cases = [
  ...(process.env.BENCH_EVENTLOOP_SMALL ? [] : [{ name: '1 000 000 particles × 48 h, hourly output (49 records)', params: { num_particles: 1_000_000, duration_hours: 48 } }]),
  { name: '100 000 particles × 48 h, hourly output (49 records)', params: { num_particles: 100_000, duration_hours: 48 } },
  {
    name: '1 particle × 300 h, 60 s steps, 120 s output (9 001 records)',
    params: { num_particles: 1, duration_hours: 300, time_step_seconds: 60, output_step_seconds: 120 },
  },
  {
    name: '1 000 particles × 720 h, 600 s output (4 321 records)',
    params: { num_particles: 1000, duration_hours: 720, output_step_seconds: 600 },
  },
];

const tmp = mkdtempSync(path.join(os.tmpdir(), 'driftline-eventloop-'));
const rows = [];
try {
  for (const c of cases) {
    const job = path.join(tmp, 'job.json');
    const probeOut = path.join(tmp, 'probe.json');
    writeFileSync(job, JSON.stringify({ mission_id: 'bench-eventloop', params: { ...base, ...c.params } }));
    const r = spawnSync(
      process.execPath,
      ['--import', path.join(root, 'bench/eventloop-probe.mjs'), path.join(root, 'dist/cli/main.js'), 'run', job, '--out', path.join(tmp, 'out'), '--json'],
      { env: { ...process.env, EVENTLOOP_PROBE_OUT: probeOut, LOG_LEVEL: 'warn' }, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    if (r.status !== 0) {
      console.error(`${c.name}: driftline run failed (exit ${r.status}):\n${r.stderr.slice(-2000)}`);
      process.exitCode = 1;
      continue;
    }
    const probe = JSON.parse(readFileSync(probeOut, 'utf8'));
    const timings = JSON.parse(r.stdout).timingsMs;
    rows.push({ case: c.name, ...probe, simulation_ms: timings.simulation, animation_ms: timings.animation, products_ms: timings.products });
    rmSync(path.join(tmp, 'out'), { recursive: true, force: true });
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log('Longest event-loop block per mission (target: < 1000 ms; figures from a shared 2-core machine are noisy):');
console.table(rows);
