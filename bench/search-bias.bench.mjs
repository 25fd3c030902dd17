// Bias of the search areas' level rule (issue 8 item 4), measured against a large reference run rather
// than a second 5 000-particle run, so that the reference's own sampling noise is small (±0.2 points at
// 50 % for 50 000 particles): areas from seeds 1..12 of 5 000 particles, at every hour 1–24, against
// the drifting particles of a 50 000-particle run of seed 9999. Real model, constant 10 m/s east wind
// (the OpenDrift reference scenarios' forcing, no land), PIW-1 and a life raft. Per level: the mean
// deviation ± its standard error over the 12 seeds, the σ of one seed's mean, the worst hour; for the
// held-out count (the rule in src/search/areas.ts) and the plain own-sample count it replaced.
// Run with `npm run bench -- search-bias` (builds dist/ first); ~30 s of CPU.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { dist, requireDist, root } from './dist.mjs';

requireDist('search/areas.js');
const { simulateLocal } = await import(dist('model/simulation.js'));
const { constantSampler } = await import(dist('forcing/sampler.js'));
const { findCategory } = await import(dist('model/objects.js'));
const { driftingAt, equalWeights } = await import(dist('search/weights.js'));
const { kdeFromParticles } = await import(dist('search/kde.js'));
const { searchAreas, MIN_PIECE_SHARE } = await import(dist('search/areas.js'));
const { shareInside } = await import(dist('search/polygon.js'));

const PERCENTS = [50, 90, 95];
const N = 5000;
const N_REF = 50_000;
const SEEDS = Array.from({ length: 12 }, (_, k) => k + 1);

function run(fixture, n, seed) {
  const inputs = JSON.parse(readFileSync(path.join(root, `test/fixtures/opendrift/${fixture}.json`), 'utf8')).inputs;
  const f = inputs.forcing;
  return simulateLocal(
    {
      category: findCategory(inputs.object.object_type),
      numParticles: n,
      seed,
      rng: 'fast',
      startTimeSec: Date.parse(`${inputs.seed_time.replace(' ', 'T')}Z`) / 1000,
      durationSec: 24 * 3600,
      timeStepSec: inputs.time_step_s,
      outputStepSec: 3600,
      seeding: { lonDeg: inputs.seed_lon, latDeg: inputs.seed_lat, radiusM: 0, radiusType: 'gaussian' },
      jibeProbabilityPerHour: 0.04,
      capsizing: null,
      coastlineAction: 'none',
    },
    { wind: constantSampler(f.x_wind, f.y_wind), current: constantSampler(f.x_sea_water_velocity, f.y_sea_water_velocity), land: null },
  );
}

const meanOf = (a) => a.reduce((s, x) => s + x, 0) / a.length;
const sdOf = (a) => {
  const m = meanOf(a);
  return Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / (a.length - 1));
};
const signed = (x, d = 2) => `${x >= 0 ? '+' : ''}${x.toFixed(d)}`;

console.log(`load average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const fixture of ['a_wind10E_piw1_dt3600', 'a_wind10E_liferaft_nb1_dt3600']) {
  const ref = run(fixture, N_REF, 9999);
  const wRef = equalWeights(N_REF);
  const w = equalWeights(N);
  console.log(`\n${fixture}: ${SEEDS.length} seeds × ${N} particles against ${N_REF} particles (seed 9999), hours 1–24`);
  for (const heldOut of [false, true]) {
    // perSeed[k][s]: seed s's mean deviation at level k; all[k]: every (seed, hour).
    const perSeed = PERCENTS.map(() => []);
    const all = PERCENTS.map(() => []);
    let maxPieces = 0;
    for (const seed of SEEDS) {
      const r = run(fixture, N, seed);
      const devs = PERCENTS.map(() => []);
      for (let t = 1; t < r.nTimes; t++) {
        const a = driftingAt(r, w, t);
        const b = driftingAt(ref, wRef, t);
        const levels = searchAreas(kdeFromParticles(a.lonDeg, a.latDeg, a.weight), PERCENTS, MIN_PIECE_SHARE, heldOut);
        levels.forEach((l, k) => {
          maxPieces = Math.max(maxPieces, l.nPieces);
          const d = 100 * shareInside(l.polygons, b.lonDeg, b.latDeg) - l.percent;
          devs[k].push(d);
          all[k].push(d);
        });
      }
      devs.forEach((d, k) => perSeed[k].push(meanOf(d)));
    }
    console.log(`  ${heldOut ? 'held-out count (the rule)' : 'own-sample count (before) '}  pieces ≤ ${maxPieces}`);
    PERCENTS.forEach((p, k) => {
      const se = sdOf(perSeed[k]) / Math.sqrt(SEEDS.length);
      const worst = all[k].reduce((m, x) => (Math.abs(x) > Math.abs(m) ? x : m), 0);
      console.log(`    ${p} %: bias ${signed(meanOf(all[k]))} ± ${se.toFixed(2)} points, σ of one seed ${sdOf(perSeed[k]).toFixed(2)}, mean |dev| ${meanOf(all[k].map(Math.abs)).toFixed(2)}, worst ${signed(worst, 1)}`);
    });
  }
}
console.log(`\nload average ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`);
