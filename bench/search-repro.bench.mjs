// Reproducibility of the search areas across seeds, end to end (issue 8 item 4 target: with 5 000
// particles, areas built from one seed hold p ± 2 points on average, worst ± 5, of another seed's
// drifting particles at every output time after the first hour, in at most 3 pieces per level for a
// single cloud). Unlike bench/search.bench.mjs (section 2, the maths on in-memory runs), this runs the
// same job twice through `driftline run` with seeds 1 and 2 and compares the products as a
// coordinator gets them: seed A's products/search_areas.geojson (rounded, cut at ±180) against the
// drifting particles (status active, with their weights) in seed B's raw/particles.nc, both ways.
// Two jobs: open sea (60° N 3° E) and examples/mission.json (off Utsira, with the coastline, so
// particles strand). Per hour: the share of B inside A's 50/90/95 % areas, and A's piece counts.
// Run with `npm run bench -- search-repro` (builds dist/ first); ~4 runs of 5 000 particles × 24 h.
// REPRO_SEEDS=1,2,3,4,5,6 runs the pairs (1,2), (3,4), (5,6) instead (each pair compared both ways),
// with a line per pair and the totals over all pairs: one pair's 50 % deviation is dominated by
// sampling noise (σ ≈ 1.1 points between two 5 000-particle runs), so judge the rule on several.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, requireDist, root } from './dist.mjs';

requireDist('planning/stored-particles.js');
const { readLocalParticles } = await import(dist('planning/stored-particles.js'));
const { shareInside } = await import(dist('search/polygon.js'));

const PERCENTS = [50, 90, 95];
const SEEDS = (process.env.REPRO_SEEDS ?? '1,2').split(',').map(Number);
if (SEEDS.length < 2 || SEEDS.some((s) => !Number.isInteger(s))) throw new Error(`REPRO_SEEDS must list integer seeds in pairs, got ${process.env.REPRO_SEEDS}`);
const example = JSON.parse(readFileSync(path.join(root, 'examples/mission.json'), 'utf8'));
const JOBS = [
  { name: 'open sea, 60° N 3° E', params: { ...example.params, latitude: 60, longitude: 3 } },
  { name: 'examples/mission.json (Utsira, coastline)', params: example.params },
];
const ENV = { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none', S3_ENDPOINT: 'http://127.0.0.1:1', LOG_LEVEL: 'warn' };

function run(dir, name, params, seed) {
  const out = path.join(dir, `${name}-seed${seed}`);
  const file = `${out}.json`;
  writeFileSync(file, JSON.stringify({ mission_id: `repro-${name}-${seed}`, params: { ...params, num_particles: 5000, duration_hours: 24, seed, products: { animation: false } } }));
  const r = spawnSync(process.execPath, [path.join(root, 'dist/cli/main.js'), 'run', file, '--out', out], { env: ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`driftline run failed (${r.status}): ${r.stderr}`);
  return out;
}

/** The search-area features of a products/search_areas.geojson, by time then percent. */
function areasOf(out) {
  const fc = JSON.parse(readFileSync(path.join(out, 'products/search_areas.geojson'), 'utf8'));
  const byTime = new Map();
  for (const f of fc.features) {
    if (f.properties.kind !== 'search_area') continue;
    const polys = f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
    const m = byTime.get(f.properties.time) ?? new Map();
    m.set(f.properties.percent, { polygons: polys, pieces: f.properties.pieces ?? polys.length });
    byTime.set(f.properties.time, m);
  }
  return byTime;
}

/** Drifting particles of record t with their weights. */
function drifting(stored, t) {
  const { tracks, weight } = stored;
  const lon = [];
  const lat = [];
  const w = [];
  for (let p = 0; p < tracks.nParticles; p++) {
    const i = p * tracks.nTimes + t;
    if (tracks.status[i] !== 0) continue;
    lon.push(tracks.lonDeg[i]);
    lat.push(tracks.latDeg[i]);
    w.push(weight[p]);
  }
  return { lon, lat, w };
}

const iso = (s) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');
console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-repro-'));
try {
  for (const [j, job] of JOBS.entries()) {
    const dev = Object.fromEntries(PERCENTS.map((p) => [p, []]));
    let maxPieces = 0;
    for (let q = 0; q + 1 < SEEDS.length; q += 2) {
      const pairSeeds = [SEEDS[q], SEEDS[q + 1]];
      const pairDev = Object.fromEntries(PERCENTS.map((p) => [p, []]));
      const t0 = performance.now();
      const outs = pairSeeds.map((seed) => run(dir, `job${j}`, job.params, seed));
      console.log(`\n${job.name}: 5 000 particles × 24 h, seeds ${pairSeeds.join(' and ')} (two runs ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
      for (const [a, b] of [[0, 1], [1, 0]]) {
        const areas = areasOf(outs[a]);
        const stored = await readLocalParticles(path.join(outs[b], 'raw/particles.nc'));
        console.log(`  areas of seed ${pairSeeds[a]}, drifting particles of seed ${pairSeeds[b]}:`);
        console.log(`    time                   B drifting   in 50 %   in 90 %   in 95 %   pieces 50/90/95`);
        for (let t = 1; t < stored.tracks.nTimes; t++) {
          const time = iso(stored.tracks.timesSec[t]);
          const levels = areas.get(time);
          if (!levels) continue;
          const d = drifting(stored, t);
          const cells = PERCENTS.map((p) => {
            const l = levels.get(p);
            const share = l ? 100 * shareInside(l.polygons, d.lon, d.lat, d.w) : NaN;
            dev[p].push(share - p);
            pairDev[p].push(share - p);
            maxPieces = Math.max(maxPieces, l?.pieces ?? 0);
            return share;
          });
          const pieces = PERCENTS.map((p) => levels.get(p)?.pieces ?? '-').join('/');
          console.log(`    ${time}   ${String(d.lon.length).padStart(10)}   ${cells.map((c) => c.toFixed(1).padStart(7)).join('   ')}   ${pieces.padStart(15)}`);
        }
      }
      summarise(`seeds ${pairSeeds.join('/')}`, pairDev);
    }
    if (SEEDS.length > 2) summarise(`${job.name}, all ${Math.floor(SEEDS.length / 2)} pairs`, dev);
    console.log(`  most pieces at any level and hour: ${maxPieces} (target ≤ 3 for a single cloud)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function summarise(label, dev) {
  console.log(`  ${label}:`);
  for (const p of PERCENTS) {
    const v = dev[p];
    const meanAbs = v.reduce((s, x) => s + Math.abs(x), 0) / v.length;
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    const worst = v.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
    console.log(`    ${p} %: mean ${mean >= 0 ? '+' : ''}${mean.toFixed(2)}, mean |dev| ${meanAbs.toFixed(2)} (target ≤ 2), worst ${worst >= 0 ? '+' : ''}${worst.toFixed(2)} points (target ≤ ±5) over ${v.length} (direction, hour)`);
  }
}
console.log(`\nload average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
