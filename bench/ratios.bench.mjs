// Issue 9's two larger end-to-end targets, measurable without OpenDrift (`npm run bench -- ratios`;
// the 1 000 × 24 h ratios are bench/mission.bench.mjs's):
//  - 100 000 particles × 48 h (dt 900 s, output 3600 s, constant forcing in the open ocean, every product
//    but the animation), `driftline run` spawn to exit, against a bare Node process running the naive
//    kernel of the same stepping (bench/process.mjs): target ≤ 1.5×;
//  - the side-by-side case (bench/side-by-side-case.mjs: 20 000 × 48 h on gridded forcing, every product
//    but the animation), driftline alone, against OpenDrift's whole run of the same case as last measured
//    here by bench/opendrift-side-by-side.mjs (9.33–10.21 s, 2026-12-05; OPENDRIFT_WALL_S to give
//    another): target ≥ 8×, so ≤ OpenDrift's time / 8. That bench, with OpenDrift set up, is the measure
//    the README states; this one follows driftline's side between its runs.
// Cases alternate, 3 runs each; read the ranges.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireDist } from './dist.mjs';
import { constantForcingJob, fmt, naiveKernel, timedNode } from './process.mjs';
import { writeSideBySideCase } from './side-by-side-case.mjs';

requireDist('cli/main.js');
const RUNS = 3;
const OPENDRIFT_WALL_S = Number(process.env.OPENDRIFT_WALL_S ?? 9.37); // median of the 2026-12-05 00:47 side-by-side run
const tmp = mkdtempSync(path.join(os.tmpdir(), 'driftline-bench-ratios-'));

const large = { particles: 100_000, hours: 48, dtS: 900 };
const largeJob = path.join(tmp, 'large.json');
writeFileSync(largeJob, JSON.stringify(constantForcingJob('bench-ratios-100k', large)));
const naive = naiveKernel({ particles: large.particles, steps: (large.hours * 3600) / large.dtS, dtS: large.dtS, lonDeg: -130, latDeg: 20 });
const sideBySide = await writeSideBySideCase(tmp, { particles: 20_000, hours: 48 });

const walls = { naive: [], large: [], sideBySide: [] };
const rss = { large: [], sideBySide: [] };
for (let run = 0; run < RUNS; run++) {
  walls.naive.push(timedNode(['-e', naive]).wallMs);
  for (const [name, job] of [['large', largeJob], ['sideBySide', sideBySide.jobFile]]) {
    const out = path.join(tmp, `out-${name}-${run}`);
    const r = timedNode(['dist/cli/main.js', 'run', job, '--out', out, '--json']);
    rmSync(out, { recursive: true, force: true });
    walls[name].push(r.wallMs);
    rss[name].push(r.rssMb);
  }
}
rmSync(tmp, { recursive: true, force: true });

const ratios = walls.large.map((w, k) => w / walls.naive[k]);
console.log(`naive kernel, ${large.particles} particles × ${(large.hours * 3600) / large.dtS} steps: ${fmt(walls.naive)} ms`);
console.log(`100 000 × 48 h, every product but the animation: ${fmt(walls.large)} ms, ${fmt(ratios, 1)}× the naive kernel (target ≤ 1.5×), peak RSS ${fmt(rss.large)} MB`);
const times = walls.sideBySide.map((w) => (OPENDRIFT_WALL_S * 1000) / w);
console.log(
  `side-by-side case (20 000 × 48 h, gridded): ${fmt(walls.sideBySide)} ms, peak RSS ${fmt(rss.sideBySide)} MB; ${fmt(times, 1)}× OpenDrift's ${OPENDRIFT_WALL_S} s ` +
    `(target ≥ 8×: ≤ ${((OPENDRIFT_WALL_S / 8) * 1000).toFixed(0)} ms)`,
);
