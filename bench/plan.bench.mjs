// Re-planning a search from a stored raw/particles.nc (`driftline plan`, POST /missions/:id/plan;
// issue 8 item 8: "well under a second for 100 000 particles"). For 10 000 and 100 000 particles of a
// real model run (constant 10 m/s east wind, PIW-1, 24 h, 25 hourly records, written by the product
// writer), times the three stages of src/planning/replan.ts planLocalDir:
//   read  — time, lon, lat, status, weight of particles.nc (our NetCDF-3 reader, positioned reads);
//   plan  — validation, a completed search (Bayesian update over its records), a 2-unit plan;
//   write — search_plan.geojson + .kml with their SHA-256.
// and, for the before/after, the netcdfjs read the command used before (whole file in memory, value
// by value). Wall-clock medians of 3 runs with CPU time beside them; the machine is shared, so the
// load average is printed too. Run with `npm run bench -- plan` (builds dist/ first).
import { mkdtempSync, readFileSync, rmSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, requireDist, root } from './dist.mjs';

requireDist('planning/replan.js');
const { simulateLocal } = await import(dist('model/simulation.js'));
const { constantSampler } = await import(dist('forcing/sampler.js'));
const { findCategory } = await import(dist('model/objects.js'));
const { writeTrajectoryNc } = await import(dist('products/trajectory.js'));
const { benchContext } = await import('./context.mjs');
const { readLocalParticles } = await import(dist('planning/stored-particles.js'));
const { planOnParticles } = await import(dist('planning/replan.js'));
const { writeSearchPlanFiles } = await import(dist('products/search-plan.js'));
const { NetCDFReader } = await import('netcdfjs');

const scenario = JSON.parse(readFileSync(path.join(root, 'test/fixtures/opendrift/a_wind10E_piw1_dt3600.json'), 'utf8')).inputs;
const startIso = `${scenario.seed_time.replace(' ', 'T')}Z`;
const T0 = Date.parse(startIso) / 1000;
const HOURS = 24;

function simulate(n) {
  return simulateLocal(
    {
      category: findCategory(scenario.object.object_type),
      numParticles: n,
      seed: 1,
      rng: 'fast',
      startTimeSec: T0,
      durationSec: HOURS * 3600,
      timeStepSec: 3600,
      outputStepSec: 3600,
      seeding: { lonDeg: scenario.seed_lon, latDeg: scenario.seed_lat, radiusM: 500, radiusType: 'gaussian' },
      jibeProbabilityPerHour: 0.04,
      capsizing: null,
      coastlineAction: 'none',
    },
    { wind: constantSampler(10, 0), current: constantSampler(0, 0), land: null },
  );
}

function context(n) {
  const params = { latitude: scenario.seed_lat, longitude: scenario.seed_lon, start_time: startIso, duration_hours: HOURS, num_particles: n, object_type: scenario.object.object_type };
  return benchContext('bench-plan', params, { wind: [10, 0], current: [0, 0] });
}

async function timed(fn) {
  const walls = [];
  const cpus = [];
  let out;
  for (let k = 0; k < 3; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    out = await fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  const med = (a) => [...a].sort((x, y) => x - y)[1];
  return { out, wallMs: med(walls), cpuMs: med(cpus) };
}
const fmt = (r) => `${r.wallMs.toFixed(0).padStart(5)} ms wall, ${r.cpuMs.toFixed(0).padStart(5)} ms CPU`;

/**
 * What `driftline plan` did before (commit c4bb6d5): netcdfjs over the whole file in memory for time,
 * lon, lat and weight, and status copied from its header offset (netcdfjs decodes bytes one boxed
 * value at a time, seconds at 100 000 particles).
 */
function readWithNetcdfjs(file) {
  const bytes = readFileSync(file);
  const nc = new NetCDFReader(bytes);
  const time = Float64Array.from(nc.getDataVariable('time'));
  const lon = Float32Array.from(nc.getDataVariable('lon'));
  const lat = Float32Array.from(nc.getDataVariable('lat'));
  const v = nc.header.variables.find((x) => x.name === 'status');
  const status = Uint8Array.from(bytes.subarray(Number(v.offset), Number(v.offset) + lon.length));
  const weight = Float64Array.from(nc.getDataVariable('weight'));
  return { time, lon, lat, status, weight };
}

console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')} (${os.cpus().length} CPUs)`);
const request = {
  at: new Date((T0 + 8 * 3600) * 1000).toISOString(),
  units: [
    { name: 'helo', speed_kn: 90, endurance_h: 2, sweep_width_nm: 1 },
    { name: 'lifeboat', speed_kn: 12, endurance_h: 4, sweep_width_nm: 0.5 },
  ],
  completed: [],
};
for (const n of [10_000, 100_000]) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-plan-'));
  try {
    mkdirSync(path.join(dir, 'raw'));
    const file = path.join(dir, 'raw/particles.nc');
    const result = simulate(n);
    await writeTrajectoryNc(result, context(n), file);
    // One completed search: a 6 × 6 km box around the seed over hours 2–4 (moves probability elsewhere).
    const d = 3000 / 111_320;
    const dl = d / Math.cos((scenario.seed_lat * Math.PI) / 180);
    const [x, y] = [scenario.seed_lon + 0.05, scenario.seed_lat];
    request.completed = [{
      name: 'first sweep', start_time: new Date((T0 + 2 * 3600) * 1000).toISOString(), end_time: new Date((T0 + 4 * 3600) * 1000).toISOString(),
      polygon: [[x - dl, y - d], [x + dl, y - d], [x + dl, y + d], [x - dl, y + d], [x - dl, y - d]], sweep_width_nm: 1, track_spacing_nm: 1,
    }];
    console.log(`\n${n} particles × ${result.nTimes} records, particles.nc ${(statSync(file).size / 1e6).toFixed(0)} MB`);
    const before = await timed(() => readWithNetcdfjs(file));
    console.log(`  read, netcdfjs (before)             ${fmt(before)}`);
    const read = await timed(() => readLocalParticles(file));
    console.log(`  read, our reader (5 variables)     ${fmt(read)}`);
    const plan = await timed(() => planOnParticles(read.out, request));
    console.log(`  plan (a completed search, 2 units) ${fmt(plan)}`);
    const write = await timed(() => writeSearchPlanFiles(plan.out.plan, dir, 'bench-plan'));
    console.log(`  write (geojson + kml + sha256)     ${fmt(write)}`);
    const total = read.wallMs + plan.wallMs + write.wallMs;
    console.log(`  re-plan total ${total.toFixed(0)} ms wall, ${(read.cpuMs + plan.cpuMs + write.cpuMs).toFixed(0)} ms CPU (target at 100 000: well under 1 s); POS ${plan.out.plan.plan.units.map((u) => `${u.unit} ${(100 * u.pos).toFixed(1)} %`).join(', ')}, cumulative ${(100 * plan.out.plan.plan.cumulativePos).toFixed(1)} %`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(`\nload average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
