/**
 * Ensemble forcing through the whole pipeline (`driftline run`, 2 simulation threads, rng "fast"): the member
 * count and the split reach summary.json and particles.nc; a mission pairing a 3-member wind with a
 * 4-member current fails with E_FORCING_INVALID naming the field and both files, and leaves no products; a
 * mission whose ensemble planes take it above MAX_MISSION_MB fails once they are read (the admission
 * estimate cannot see the members), naming the field and its member count.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axis, T0_SEC, writeEnsembleFile } from '../../scripts/make-forcing.lib.mjs';
import { validateJob } from '../../src/job/validate.js';
import { estimateMission } from '../../src/mission/estimate.js';
import { runCli } from '../helpers/processes.js';

/** Port 1 (tcpmux) is closed on any ordinary machine: a connection is refused at once. */
const NO_SERVICES = {
  REDIS_URL: 'redis://127.0.0.1:1',
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
  S3_ENDPOINT: 'http://127.0.0.1:1',
  SIM_THREADS: '2',
};

let dir: string;

function writeJob(name: string, current: string): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      mission_id: name,
      params: {
        latitude: 60,
        longitude: 6,
        start_time: '2024-01-01T02:00:00Z',
        duration_hours: 6,
        num_particles: 5000,
        radius_m: 1000,
        forcing: { wind: { uri: path.join(dir, 'wind_ensemble.nc') }, current: { uri: path.join(dir, current) }, land: { constant: 0 } },
        products: { animation: false },
      },
    }),
  );
  return file;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-ensemble-'));
  const grid = { format: 'nc3' as const, lons: axis(4, 0.1, 41), lats: axis(58, 0.1, 41), timesSec: Array.from({ length: 25 }, (_, i) => T0_SEC + i * 3600) };
  await writeEnsembleFile(path.join(dir, 'wind_ensemble.nc'), { kind: 'wind', members: 3, ...grid });
  await writeEnsembleFile(path.join(dir, 'current_ensemble.nc'), { kind: 'current', members: 3, ...grid });
  await writeEnsembleFile(path.join(dir, 'current_ensemble4.nc'), { kind: 'current', members: 4, ...grid });
  // 3 members of 300 × 300 cells: ~8 records in a 6 h window × 3 × 90 000 × 8 B = 17 MB of current planes.
  await writeEnsembleFile(path.join(dir, 'current_ensemble_big.nc'), { kind: 'current', members: 3, ...grid, lons: axis(4, 0.01, 300), lats: axis(58.5, 0.01, 300) });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('driftline run with ensemble forcing', () => {
  it('records the member count and the split in summary.json and particles.nc', { timeout: 120_000 }, async () => {
    const out = path.join(dir, 'out');
    const r = await runCli(['run', writeJob('ens-ok', 'current_ensemble.nc'), '--out', out, '--json'], NO_SERVICES, { timeoutMs: 110_000 });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(readFileSync(path.join(out, 'products/summary.json'), 'utf8')) as { forcing: Record<string, { members?: number; description: string }> };
    expect(summary.forcing.wind?.members).toBe(3);
    expect(summary.forcing.current?.members).toBe(3);
    expect(summary.forcing.wind?.description).toMatch(/ensemble of 3 members: particle i \(seeding order\) reads member i mod 3/);
    const nc = new NetCDFReader(readFileSync(path.join(out, 'raw/particles.nc')));
    const attr = (name: string) => nc.globalAttributes.find((a) => a.name === name)?.value;
    expect(attr('ensemble_members')).toBe(3);
    expect(attr('ensemble_split')).toBe('member = particle_index mod 3');
  });

  it('fails a mission whose wind and current member counts differ, naming the field and both files, with no products', { timeout: 60_000 }, async () => {
    const out = path.join(dir, 'bad');
    const r = await runCli(['run', writeJob('ens-bad', 'current_ensemble4.nc'), '--out', out], NO_SERVICES, { timeoutMs: 50_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/E_FORCING_INVALID: params\.forcing\.current\.uri: forcing file \S*current_ensemble4\.nc has 4 ensemble members, but params\.forcing\.wind\.uri \(\S*wind_ensemble\.nc\) has 3/);
    expect(existsSync(path.join(out, 'raw/particles.nc'))).toBe(false);
  });

  it('fails a mission whose ensemble planes take it above MAX_MISSION_MB, naming the field and its members', { timeout: 60_000 }, async () => {
    const jobFile = writeJob('ens-big', 'current_ensemble_big.nc');
    // 4 MB above the admission estimate: the job is accepted, its 17 MB of current planes are not.
    const limitMb = Math.ceil(estimateMission(validateJob(JSON.parse(readFileSync(jobFile, 'utf8'))).params).memoryBytes / 2 ** 20) + 4;
    const out = path.join(dir, 'big');
    const r = await runCli(['run', jobFile, '--out', out], { ...NO_SERVICES, MAX_MISSION_MB: String(limitMb) }, { timeoutMs: 50_000 });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`E_MISSION_TOO_LARGE: params\\.forcing\\.current\\.uri: .*\\(3 ensemble members: .*MAX_MISSION_MB is ${limitMb}`));
    expect(existsSync(path.join(out, 'raw/particles.nc'))).toBe(false);
    // The same job with the limit 40 MB higher runs.
    const ok = await runCli(['run', jobFile, '--out', path.join(dir, 'big-ok')], { ...NO_SERVICES, MAX_MISSION_MB: String(limitMb + 40) }, { timeoutMs: 50_000 });
    expect(ok.code, ok.stderr).toBe(0);
  });
});
