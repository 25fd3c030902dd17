// A whole mission as a user runs it (`npm run bench -- mission`, builds dist/ first): `driftline run`
// of 1 000 particles × 24 h with constant forcing and every product, on the coast (Utsira, 59.3° N
// 4.6° E) and in the open ocean (20° N 130° W), with and without the animation. Prints each stage
// (the pipeline's own timings_ms), the process's wall time from spawn to exit, its peak RSS, and the
// ratio to a bare Node process running a naive kernel of the same size (bench/process.mjs). Cases
// alternate, 3 runs each; the shared 2-core machine is noisy: read the ranges, not one figure.
// MISSION_BENCH_DIST=<dist of another build> runs that build instead, for before/after figures.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireDist } from './dist.mjs';
import { fmt, naiveKernel, timedNode } from './process.mjs';

requireDist('cli/main.js');
const RUNS = 3;
const N_PARTICLES = 1000;
const HOURS = 24;
const DT_S = 600;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-mission-'));
const MAIN = process.env.MISSION_BENCH_DIST ? path.join(process.env.MISSION_BENCH_DIST, 'cli/main.js') : 'dist/cli/main.js';

const job = (id, lat, lon, animation) => ({
  mission_id: id,
  params: {
    latitude: lat,
    longitude: lon,
    start_time: '2024-01-01T12:00:00Z',
    duration_hours: HOURS,
    num_particles: N_PARTICLES,
    object_type: 'PIW-1',
    radius_m: 500,
    forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } },
    products: { animation },
  },
});
const cases = [
  ['coast, all products + animation', job('bench-coast-anim', 59.3, 4.6, true)],
  ['coast, all products, no animation', job('bench-coast', 59.3, 4.6, false)],
  ['open ocean, all products + animation', job('bench-ocean-anim', 20, -130, true)],
  ['open ocean, all products, no animation', job('bench-ocean', 20, -130, false)],
];

// The naive kernel of the same size (bench/process.mjs says what it does).
const naive = naiveKernel({ particles: N_PARTICLES, steps: (HOURS * 3600) / DT_S, dtS: DT_S });

const results = new Map(cases.map(([name]) => [name, { wall: [], rss: [], stages: {} }]));
const naiveWall = [];
for (let run = 0; run < RUNS; run++) {
  naiveWall.push(timedNode(['-e', naive]).wallMs);
  for (const [name, j] of cases) {
    const file = path.join(tmp, `${j.mission_id}.json`);
    writeFileSync(file, JSON.stringify(j));
    const out = path.join(tmp, `out-${j.mission_id}-${run}`);
    const r = timedNode([MAIN, 'run', file, '--out', out, '--json']);
    rmSync(out, { recursive: true, force: true });
    const summary = JSON.parse(r.stdout);
    const res = results.get(name);
    res.wall.push(r.wallMs);
    res.rss.push(r.rssMb);
    for (const [stage, ms] of Object.entries(summary.timingsMs ?? {})) (res.stages[stage] ??= []).push(ms);
  }
}
rmSync(tmp, { recursive: true, force: true });

console.log(`naive kernel (${N_PARTICLES} particles × ${(HOURS * 3600) / DT_S} steps, bare node, spawn to exit): ${fmt(naiveWall)} ms`);
for (const [name, res] of results) {
  const stages = Object.entries(res.stages)
    .map(([k, v]) => `${k} ${fmt(v)}`)
    .join(', ');
  const ratios = res.wall.map((w, k) => w / naiveWall[k]);
  console.log(`${name}: wall ${fmt(res.wall)} ms, ${fmt(ratios, 1)}× the naive kernel, peak RSS ${fmt(res.rss)} MB`);
  console.log(`  stages (ms, median (range) of ${RUNS}): ${stages}`);
}
