// A whole mission as a user runs it (`npm run bench -- mission`, builds dist/ first): `driftline run`
// of 1 000 particles × 24 h with constant forcing and every product, on the coast (Utsira, 59.3° N
// 4.6° E) and in the open ocean (20° N 130° W), with and without the animation. Prints each stage
// (the pipeline's own timings_ms), the process's wall time from spawn to exit, its peak RSS, and the
// ratio to a bare Node process running a naive kernel of the same size (defined below). Cases
// alternate, 3 runs each; the shared 2-core machine is noisy: read the ranges, not one figure.
// MISSION_BENCH_DIST=<dist of another build> runs that build instead, for before/after figures.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { requireDist, root } from './dist.mjs';

requireDist('cli/main.js');
const RUNS = 3;
const N_PARTICLES = 1000;
const HOURS = 24;
const DT_S = 600;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-mission-'));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
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

// The naive kernel: one thread, Float64Array positions, per particle and step a move by 3 % of the
// wind plus the current (metres -> degrees) and a uniform jitter from an xorshift generator; no
// forcing interpolation, no land, no output. What any Node program of this size pays at least.
const naive = `
  const n = ${N_PARTICLES}, steps = ${(HOURS * 3600) / DT_S}, dt = ${DT_S};
  const lon = new Float64Array(n).fill(4.6), lat = new Float64Array(n).fill(59.3);
  let x = 2463534242;
  const rnd = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return (x >>> 0) / 4294967296; };
  for (let k = 0; k < steps; k++) for (let p = 0; p < n; p++) {
    const u = 0.03 * 8 + 0.15 + (rnd() - 0.5) * 0.2, v = 0.03 * 3 + 0.05 + (rnd() - 0.5) * 0.2;
    lat[p] += (v * dt) / 111320; lon[p] += (u * dt) / (111320 * Math.cos(lat[p] * Math.PI / 180));
  }
  if (!(lon[0] > 0)) process.exitCode = 1;`;

/** Runs `args` under /usr/bin/time when present: { wallMs, rssMb, stdout }. */
function timed(args) {
  const t0 = performance.now();
  const cmd = TIME ? [TIME, ['-f', 'MAXRSS %M', process.execPath, ...args]] : [process.execPath, args];
  const r = spawnSync(cmd[0], cmd[1], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 24 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr.slice(-500)}`);
  const m = /MAXRSS (\d+)/.exec(r.stderr ?? '');
  return { wallMs, rssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

const fmt = (xs, d = 0) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[s.length >> 1].toFixed(d)} (${s[0].toFixed(d)}–${s[s.length - 1].toFixed(d)})`;
};

const results = new Map(cases.map(([name]) => [name, { wall: [], rss: [], stages: {} }]));
const naiveWall = [];
for (let run = 0; run < RUNS; run++) {
  naiveWall.push(timed(['-e', naive]).wallMs);
  for (const [name, j] of cases) {
    const file = path.join(tmp, `${j.mission_id}.json`);
    writeFileSync(file, JSON.stringify(j));
    const out = path.join(tmp, `out-${j.mission_id}-${run}`);
    const r = timed([MAIN, 'run', file, '--out', out, '--json']);
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
