// The case driftline is compared with OpenDrift on (issue 9: "20 000 × 48 h on gridded forcing with all
// products but the animation"): hourly gridded wind (8 m/s, turning once a day) and current (an eddy on a
// 0.1 m/s drift), scripts/make-forcing's analytic fields, written as CF NetCDF-3 on 0.05° cells over
// 4.5–7.5°E 59–61°N (167 × 222 km: the cloud of a 48 h PIW drift from 5.5°E 60°N stays well inside).
// PIW-1, 1 km Gaussian seeding radius, dt 900 s, output every 3600 s, land off (forcing.land constant 0:
// the OpenDrift kit's landmask stub answers "ocean" everywhere, so OpenDrift cannot run the real coast).
// Used by bench/opendrift-side-by-side.mjs (both models) and bench/ratios.bench.mjs (driftline alone).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from './dist.mjs';

const { axis, T0_SEC, writeLonLatFile } = await import(pathToFileURL(path.join(root, 'scripts/make-forcing.lib.mjs')).href);

export const SEED = { lon: 5.5, lat: 60, radiusM: 1000 };

/** Writes the two forcing files and driftline's job into `dir`: { windFile, currentFile, jobFile }. */
export async function writeSideBySideCase(dir, { particles, hours }) {
  // One record per hour from 2024-01-01T00Z, covering the whole run.
  const timesSec = Array.from({ length: hours + 1 }, (_, i) => T0_SEC + i * 3600);
  const grid = { format: 'nc3', lons: axis(4.5, 0.05, 61), lats: axis(59, 0.05, 41), timesSec };
  const windFile = path.join(dir, 'wind.nc');
  const currentFile = path.join(dir, 'current.nc');
  await writeLonLatFile(windFile, { ...grid, kind: 'wind', names: ['x_wind', 'y_wind'], standardNames: ['x_wind', 'y_wind'] });
  await writeLonLatFile(currentFile, {
    ...grid, kind: 'current', names: ['x_sea_water_velocity', 'y_sea_water_velocity'], standardNames: ['x_sea_water_velocity', 'y_sea_water_velocity'],
  });
  const jobFile = path.join(dir, 'job.json');
  writeFileSync(
    jobFile,
    JSON.stringify({
      mission_id: 'opendrift-side-by-side',
      params: {
        latitude: SEED.lat, longitude: SEED.lon, radius_m: SEED.radiusM, start_time: '2024-01-01T00:00:00Z',
        duration_hours: hours, num_particles: particles, object_type: 1, time_step_seconds: 900, output_step_seconds: 3600,
        forcing: { wind: { uri: windFile }, current: { uri: currentFile }, land: { constant: 0 } },
        products: { animation: false },
      },
    }),
  );
  return { windFile, currentFile, jobFile };
}
