// driftline against the real OpenDrift Leeway on one gridded case, side by side (issue 9: "20 000 × 48 h
// on gridded forcing with all products but the animation is at least 8× faster than OpenDrift's run of
// the same case"). A manual bench: not a *.bench.mjs, so `npm run bench` and CI never run it, and nothing
// in the project needs OpenDrift.
//
// Needs OpenDrift 1.14.10 set up by hand as ../shared/opendrift-kit/README.md says (source extracted to
// $KIT/src, Debian's python3 packages, the kit's stubs), and `npm run build`. Then:
//   OPENDRIFT_KIT=/work/opendrift node bench/opendrift-side-by-side.mjs
// OPENDRIFT_KIT puts $KIT/stubs:$KIT/src first on PYTHONPATH (without it, PYTHONPATH must already hold
// them); OPENDRIFT_PYTHON is the interpreter (default Debian's /usr/bin/python3, which the kit's packages
// are for). Sizes: BENCH_PARTICLES (20000), BENCH_HOURS (48), BENCH_ROUNDS (3); a smoke run:
//   BENCH_PARTICLES=500 BENCH_HOURS=6 BENCH_ROUNDS=1 OPENDRIFT_KIT=... node bench/opendrift-side-by-side.mjs
//
// The case (bench/side-by-side-case.mjs): hourly gridded wind and current written once as CF NetCDF-3 and
// the same two files given to both; PIW-1, 1 km Gaussian seeding radius, seed 0, dt 900 s, output every
// 3600 s. Land is off in both (driftline: forcing.land constant 0; OpenDrift: use_auto_landmask False and
// a constant land_binary_mask 0) because the kit's roaring_landmask stub answers "ocean" everywhere, so
// OpenDrift cannot run the real coast here.
//
// What is timed: each whole process from spawn to exit, as a user runs it: `python3
// scripts/opendrift/side_by_side.py run ...` (Python start-up, OpenDrift's imports, readers, the run,
// OpenDrift's own netCDF output) and `node dist/cli/main.js run job.json --out DIR` (Node start-up, every
// product but the animation: particles.nc, density.nc, search areas GeoJSON/KML/KMZ, stranding, Leeway
// ASCII, summary, map.png). The two alternate, and which goes first alternates by round. Each round's
// outputs are deleted before the next; the last round's are compared (not timed): the mean final position
// of each cloud and the distance between the two means (different random generators, so alike, not equal).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { requireDist, root } from './dist.mjs';
import { timedProcess } from './process.mjs';
import { SEED, writeSideBySideCase } from './side-by-side-case.mjs';

requireDist('cli/main.js');

const envInt = (name, dflt) => {
  const v = Number(process.env[name] ?? dflt);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got "${process.env[name]}"`);
  return v;
};
const PARTICLES = envInt('BENCH_PARTICLES', 20_000);
const HOURS = envInt('BENCH_HOURS', 48);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const PYTHON = process.env.OPENDRIFT_PYTHON ?? '/usr/bin/python3';
const KIT = process.env.OPENDRIFT_KIT;
const pyEnv = { ...process.env, ...(KIT ? { PYTHONPATH: [path.join(KIT, 'stubs'), path.join(KIT, 'src'), process.env.PYTHONPATH].filter(Boolean).join(':') } : {}) };
const DRIVER = path.join(root, 'scripts/opendrift/side_by_side.py');

const probe = spawnSync(PYTHON, ['-c', 'import opendrift; print(opendrift.__version__)'], { env: pyEnv, encoding: 'utf8' });
if (probe.status !== 0) {
  console.error(`OpenDrift does not import with ${PYTHON} (set OPENDRIFT_KIT, see this file's header):\n${probe.stderr.slice(-400)}`);
  process.exit(1);
}
const odVersion = probe.stdout.trim();

const tmp = mkdtempSync(path.join(os.tmpdir(), 'driftline-sidebyside-'));
const { windFile, currentFile, jobFile } = await writeSideBySideCase(tmp, { particles: PARTICLES, hours: HOURS });

/** timedProcess (bench/process.mjs) with the wall time in seconds. */
function timed(cmd, args, env) {
  const { wallMs, ...r } = timedProcess(cmd, args, env);
  return { wallS: wallMs / 1000, ...r };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const list = (xs, d = 2) => xs.map((x) => x.toFixed(d)).join(', ');
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

const odOut = (k) => path.join(tmp, `opendrift-${k}.nc`);
const dlOut = (k) => path.join(tmp, `driftline-${k}`);
const runs = {
  opendrift: (k) => {
    const r = timed(PYTHON, [DRIVER, 'run', windFile, currentFile, SEED.lon, SEED.lat, SEED.radiusM, PARTICLES, HOURS, odOut(k)].map(String), pyEnv);
    return { ...r, inner: JSON.parse(r.stdout.trim().split('\n').pop()) };
  },
  driftline: (k) => {
    const r = timed(process.execPath, ['dist/cli/main.js', 'run', jobFile, '--out', dlOut(k), '--json'], process.env);
    return { ...r, inner: JSON.parse(r.stdout) };
  },
};

console.log(`OpenDrift ${odVersion} (${PYTHON}) vs driftline (${process.execPath} ${process.version}), ${os.cpus().length} cores`);
console.log(`case: ${PARTICLES} particles × ${HOURS} h, dt 900 s, output 3600 s, gridded wind + current (61 × 41 cells, ${HOURS + 1} hourly records), ${ROUNDS} rounds`);
const loadBefore = load();
console.log(`load average before (1, 5, 15 min): ${loadBefore}`);
const res = { opendrift: [], driftline: [] };
for (let k = 0; k < ROUNDS; k++) {
  const order = k % 2 === 0 ? ['opendrift', 'driftline'] : ['driftline', 'opendrift'];
  for (const name of order) {
    if (k > 0) rmSync(name === 'opendrift' ? odOut(k - 1) : dlOut(k - 1), { recursive: true, force: true });
    const r = runs[name](k);
    res[name].push(r);
    const detail = name === 'opendrift'
      ? `imports ${r.inner.imports_s.toFixed(2)} s, run ${r.inner.run_s.toFixed(2)} s, ${r.inner.active} active`
      : `pipeline ${r.inner.seconds.toFixed(2)} s`;
    console.log(`round ${k + 1} ${name.padEnd(9)} ${r.wallS.toFixed(2)} s wall, peak RSS ${r.rssMb.toFixed(0)} MB (${detail}), load ${load()}`);
  }
}
const loadAfter = load();

const wall = (name) => res[name].map((r) => r.wallS);
const [odMed, dlMed] = [median(wall('opendrift')), median(wall('driftline'))];
console.log(`\nOpenDrift wall s: ${list(wall('opendrift'))}; median ${odMed.toFixed(2)}`);
console.log(`driftline wall s: ${list(wall('driftline'))}; median ${dlMed.toFixed(2)}`);
const perRound = wall('opendrift').map((w, k) => w / wall('driftline')[k]);
console.log(`ratio of medians (OpenDrift / driftline): ${(odMed / dlMed).toFixed(1)}×; per round ${list(perRound, 1)}`);
const stages = Object.keys(res.driftline[0].inner.timingsMs ?? {});
console.log(`driftline stages (ms, median): ${stages.map((s) => `${s} ${median(res.driftline.map((r) => r.inner.timingsMs[s] ?? 0))}`).join(', ')}`);
console.log(`load average before: ${loadBefore}; after: ${loadAfter}`);

const last = ROUNDS - 1;
const cmp = spawnSync(PYTHON, [DRIVER, 'compare', odOut(last), path.join(dlOut(last), 'raw/particles.nc')], { env: pyEnv, encoding: 'utf8' });
if (cmp.status !== 0) throw new Error(`compare failed: ${cmp.stderr.slice(-800)}`);
const c = JSON.parse(cmp.stdout);
const pos = (p) => `${p.lon.toFixed(5)}°E ${p.lat.toFixed(5)}°N (${p.particles} particles, std east ${p.std_east_m.toFixed(0)} m, north ${p.std_north_m.toFixed(0)} m)`;
console.log(`\nsame case? mean final position after ${HOURS} h: OpenDrift ${pos(c.opendrift)}; driftline ${pos(c.driftline)}; means ${c.mean_distance_m.toFixed(0)} m apart`);
// The standard error of the difference of two independent means: the scale the distance is to be read on.
const seM = Math.hypot(c.opendrift.std_east_m, c.opendrift.std_north_m, c.driftline.std_east_m, c.driftline.std_north_m) / Math.sqrt(PARTICLES);
console.log(`(standard error of that difference from the spreads: ~${seM.toFixed(0)} m)`);
rmSync(tmp, { recursive: true, force: true });
