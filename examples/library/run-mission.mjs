// @ts-check
/**
 * driftline as a library: validate a job, run it on this machine, read the trajectories back and plan
 * one search unit on them. Run from the repository after `npm run build`:
 *
 *   node examples/library/run-mission.mjs [out dir]
 *
 * In another project, `npm install driftline` and the same imports work.
 */
import { closeMissionRunner, openNetcdf, runLocalMission, search, validateJob } from 'driftline';

const out = process.argv[2] ?? 'out/library-example';
const job = validateJob({
  mission_id: 'library-example',
  params: {
    latitude: 59.3,
    longitude: 4.6,
    start_time: '2024-01-01T12:00:00Z',
    duration_hours: 6,
    num_particles: 500,
    object_type: 'PIW-1',
    forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } },
    products: { animation: false },
  },
});

try {
  const outcome = await runLocalMission(job, { out, threads: 1 });
  console.log(`${outcome.products.length} products in ${out}: ${outcome.products.map((p) => p.relPath).join(', ')}`);

  // The trajectories, read back with the same NetCDF reader the worker uses for forcing.
  const nc = await openNetcdf(`${out}/raw/particles.nc`);
  try {
    const lon = nc.variables.get('lon');
    if (!lon) throw new Error('particles.nc has no lon');
    // lon is (trajectory, time): read the last output time of every particle (NaN where none).
    const [nParticles = 0, nTimes = 0] = lon.shape;
    const lastLon = await nc.read('lon', [0, nTimes - 1], [nParticles, 1]);
    const finite = lastLon.filter(Number.isFinite);
    const meanLon = finite.reduce((a, b) => a + b, 0) / finite.length;
    console.log(`particles.nc: ${nParticles} particles × ${nTimes} times; mean longitude at the end ${meanLon.toFixed(4)}°`);
  } finally {
    await nc.close();
  }

  // Pure search arithmetic: POD of a 10 NM² area searched with 4 NM² of effort (exponential law).
  const coverage = search.coverageFromEffort(4, 10);
  console.log(`coverage ${coverage.toFixed(2)} -> POD ${(search.pod('exponential', coverage) * 100).toFixed(1)} %`);
} finally {
  await closeMissionRunner();
}
