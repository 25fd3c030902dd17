// Search planning (issue 8), on real model runs (constant 10 m/s east wind, PIW-1, the OpenDrift
// reference scenario's forcing, no land):
//  1. Re-planning time at 100 000 particles × 49 hourly records (48 h): drifting particles at one time,
//     KDE map + 50/90/95 % areas, a one-unit and a three-unit plan, and a Bayesian update for one
//     completed search over all 49 records. Target (issue 8): re-planning well under a second.
//  2. The areas' held-out coverage: 5 000 particles × 24 h, areas from one seed against another seed's
//     drifting particles at every hour ≥ 1 (target: p ± 2 points on average, worst ± 5, ≤ 3 pieces).
//  3. The fast rectangle optimiser against the brute force on the same particles (target: within 3 %).
// Run with `npm run bench -- search` (builds dist/ first). Timings are wall-clock medians of 3 runs
// with CPU time beside them; on a shared machine they are noisy.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dist, requireDist, root } from './dist.mjs';

requireDist('search/plan.js');
const { simulateLocal } = await import(dist('model/simulation.js'));
const { constantSampler } = await import(dist('forcing/sampler.js'));
const { findCategory } = await import(dist('model/objects.js'));
const { driftingAt, equalWeights } = await import(dist('search/weights.js'));
const { weightedCloud, datumOf } = await import(dist('search/datum.js'));
const { kdeMap } = await import(dist('search/kde.js'));
const { searchAreas } = await import(dist('search/areas.js'));
const { planSearch } = await import(dist('search/plan.js'));
const { bayesUpdate } = await import(dist('search/bayes.js'));
const { shareInside } = await import(dist('search/polygon.js'));
const { optimiseRectangle, bruteForceRectangle } = await import(dist('search/rectangle.js'));

const scenario = JSON.parse(readFileSync(path.join(root, 'test/fixtures/opendrift/a_wind10E_piw1_dt3600.json'), 'utf8')).inputs;
function run(n, seed, hours) {
  return simulateLocal(
    {
      category: findCategory(scenario.object.object_type),
      numParticles: n,
      seed,
      rng: 'fast',
      startTimeSec: Date.parse(`${scenario.seed_time.replace(' ', 'T')}Z`) / 1000,
      durationSec: hours * 3600,
      timeStepSec: 3600,
      outputStepSec: 3600,
      seeding: { lonDeg: scenario.seed_lon, latDeg: scenario.seed_lat, radiusM: 0, radiusType: 'gaussian' },
      jibeProbabilityPerHour: 0.04,
      capsizing: null,
      coastlineAction: 'none',
    },
    { wind: constantSampler(10, 0), current: constantSampler(0, 0), land: null },
  );
}

function timed(label, fn) {
  const walls = [];
  const cpus = [];
  let out;
  for (let k = 0; k < 3; k++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    out = fn();
    walls.push(performance.now() - t0);
    cpus.push(process.cpuUsage(c0).user / 1000);
  }
  const med = (a) => [...a].sort((x, y) => x - y)[1];
  console.log(`  ${label.padEnd(44)} ${med(walls).toFixed(0).padStart(5)} ms wall, ${med(cpus).toFixed(0).padStart(5)} ms CPU (median of 3)`);
  return { out, ms: med(walls) };
}

// 1. Re-planning time.
const N = 100_000;
const big = run(N, 1, 48);
console.log(`1. re-planning on ${N} particles × ${big.nTimes} records (real model, 48 h)`);
const w = equalWeights(N);
const tPlan = 24;
const stageMs = [];
const stage = (label, fn) => {
  const r = timed(label, fn);
  stageMs.push(r.ms);
  return r.out;
};
const d = stage(`drifting particles at +${tPlan} h`, () => driftingAt(big, w, tPlan));
const cloud = stage('weighted cloud (datum, covariance, n_eff)', () => weightedCloud(d.lonDeg, d.latDeg, d.weight));
const map = stage('KDE map', () => kdeMap(cloud));
const levels = stage('search areas 50/90/95 %', () => searchAreas(map, [50, 90, 95]));
const units = [
  { name: 'helo', speedKn: 90, enduranceH: 2, sweepWidthNm: 1 },
  { name: 'lifeboat', speedKn: 12, enduranceH: 4, sweepWidthNm: 0.5 },
  { name: 'cutter', speedKn: 15, enduranceH: 3, sweepWidthNm: 0.8 },
];
timed('plan, 1 unit', () => planSearch(cloud, units.slice(0, 1), 'exponential'));
const three = timed('plan, 3 units (greedy, non-overlapping)', () => planSearch(cloud, units, 'exponential'));
// A completed search over the whole run: the 90 % area at +24 h as the searched polygon.
const ring = levels[1].polygons[0][0].map(([lon, lat]) => [lon, lat]);
const searches = [{ name: 'sweep', startTimeSec: big.timesSec[0], endTimeSec: big.timesSec[big.nTimes - 1] + 1, polygon: ring, sweepWidthNm: 1, trackSpacingNm: 1 }];
const bayes = timed(`Bayesian update (${ring.length - 1}-vertex ring × ${big.nTimes} records)`, () => bayesUpdate(big, w, searches, 'exponential'));
const datum = datumOf(cloud);
console.log(`  map ${map.nu} × ${map.nv} cells of ${map.cellUM.toFixed(0)} × ${map.cellVM.toFixed(0)} m, bandwidth ${map.bandwidthUM.toFixed(0)} × ${map.bandwidthVM.toFixed(0)} m, n_eff ${map.nEff.toFixed(0)}`);
console.log(`  datum ${datum.lonDeg.toFixed(5)}, ${datum.latDeg.toFixed(5)}; probable error ${datum.probableErrorM.toFixed(0)} m; areas ${levels.map((l) => `${l.percent} %: ${l.areaKm2.toFixed(1)} km² in ${l.nPieces}`).join(', ')}`);
console.log(`  plan: ${three.out.units.map((u) => `${u.unit} POS ${(100 * u.pos).toFixed(1)} % (POC ${(100 * u.poc).toFixed(1)}, POD ${(100 * u.pod).toFixed(1)}, ${u.lengthNm.toFixed(1)} × ${u.widthNm.toFixed(1)} NM)`).join('; ')}; cumulative ${(100 * three.out.cumulativePos).toFixed(1)} %`);
console.log(`  Bayesian update removed ${(100 * bayes.out.cumulativePos).toFixed(1)} % of the probability`);
console.log(`  re-plan = drifting + cloud + KDE + areas + 3-unit plan + update: ${(stageMs.reduce((a, b) => a + b, 0) + three.ms + bayes.ms).toFixed(0)} ms wall (target: well under a second)`);

// 2. Held-out coverage.
console.log('\n2. held-out coverage of the areas: 5 000 particles × 24 h, seeds 1→2, 2→1, 3→4, 4→3');
const runs = [1, 2, 3, 4].map((s) => run(5000, s, 24));
const w5 = equalWeights(5000);
const dev = { 50: [], 90: [], 95: [] };
let maxPieces = 0;
for (const [a, b] of [[0, 1], [1, 0], [2, 3], [3, 2]]) {
  for (let t = 1; t < runs[a].nTimes; t++) {
    const da = driftingAt(runs[a], w5, t);
    const db = driftingAt(runs[b], w5, t);
    for (const l of searchAreas(kdeMap(weightedCloud(da.lonDeg, da.latDeg, da.weight)), [50, 90, 95])) {
      dev[l.percent].push(100 * shareInside(l.polygons, db.lonDeg, db.latDeg) - l.percent);
      maxPieces = Math.max(maxPieces, l.nPieces);
    }
  }
}
for (const p of [50, 90, 95]) {
  const v = dev[p];
  const mean = v.reduce((s, x) => s + x, 0) / v.length;
  const meanAbs = v.reduce((s, x) => s + Math.abs(x), 0) / v.length;
  const worst = v.reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
  console.log(`  ${p} %: mean ${mean >= 0 ? '+' : ''}${mean.toFixed(2)}, mean |dev| ${meanAbs.toFixed(2)}, worst ${worst >= 0 ? '+' : ''}${worst.toFixed(2)} points over ${v.length} (pair, hour)`);
}
console.log(`  most pieces at any level: ${maxPieces} (target ≤ 3)`);

// 3. Fast optimiser vs brute force.
console.log('\n3. fast rectangle optimiser vs brute force (2° × 40 × 40 lattice), 5 000 particles at +24 h');
const c5 = (() => {
  const dd = driftingAt(runs[0], w5, 24);
  return weightedCloud(dd.lonDeg, dd.latDeg, dd.weight);
})();
for (const law of ['exponential', 'inverse_cube']) {
  for (const zRatio of [0.5, 2, 8]) {
    const o = { effortM2: zRatio * c5.sigmaMajorM * c5.sigmaMinorM, law };
    const pts = { xM: c5.xM, yM: c5.yM, weight: c5.weight };
    const fast = optimiseRectangle(pts, o, c5.majorAxisRad);
    const brute = bruteForceRectangle(pts, o);
    console.log(`  ${law.padEnd(12)} Z = ${zRatio} σ₁σ₂: fast POS ${fast.pos.toFixed(4)}, brute ${brute.pos.toFixed(4)}, ratio ${(fast.pos / brute.pos).toFixed(4)} (target ≥ 0.97)`);
  }
}
