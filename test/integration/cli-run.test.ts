/**
 * `driftline run job.json --out DIR` on a machine with no services: REDIS_URL, DATABASE_URL and
 * S3_ENDPOINT point at closed ports, and the real pipeline still writes every product to DIR.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';
import { openNetcdf } from '../../src/netcdf/open.js';

/** Port 1 (tcpmux) is closed on any ordinary machine: a connection is refused at once. */
const NO_SERVICES = {
  REDIS_URL: 'redis://127.0.0.1:1',
  DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none',
  S3_ENDPOINT: 'http://127.0.0.1:1',
  SIM_THREADS: '2',
};

let dir: string;
let jobFile: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-run-'));
  jobFile = path.join(dir, 'job.json');
  writeFileSync(
    jobFile,
    JSON.stringify({
      mission_id: 'local-run',
      params: {
        latitude: 60,
        longitude: 3,
        start_time: '2024-01-01T12:00:00Z',
        duration_hours: 6,
        num_particles: 500,
        object_type: 'PIW-1',
        forcing: { wind: { constant: [8, 3] }, current: { constant: [0.15, 0.05] } },
        products: { animation: false },
      },
    }),
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('driftline run', () => {
  it('runs a mission with no Redis, PostgreSQL or S3 and leaves every product in --out', { timeout: 120_000 }, async () => {
    const out = path.join(dir, 'out');
    const r = await runCli(['run', jobFile, '--out', out, '--json'], NO_SERVICES, { timeoutMs: 110_000 });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { mission_id: string; products: Array<{ relPath: string; bytes: number; sha256: string }>; particleSteps: number };
    expect(summary.mission_id).toBe('local-run');
    expect(summary.particleSteps).toBeGreaterThan(0);
    expect(summary.products.map((p) => p.relPath)).toEqual(expect.arrayContaining(['raw/particles.nc', 'products/density.nc']));
    for (const p of summary.products) {
      const bytes = readFileSync(path.join(out, p.relPath));
      expect(bytes.length).toBe(p.bytes);
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(p.sha256);
    }
    expect(existsSync(path.join(out, 'products/animation.mp4'))).toBe(false); // animation: false
  });

  it('leaves the forcing each particle saw out of particles.nc with products.record_environment: false', { timeout: 120_000 }, async () => {
    const job = JSON.parse(readFileSync(jobFile, 'utf8')) as { params: { products: Record<string, unknown> } };
    job.params.products.record_environment = false;
    const noEnvJob = path.join(dir, 'no-env.json');
    writeFileSync(noEnvJob, JSON.stringify(job));
    const out = path.join(dir, 'out-no-env');
    const r = await runCli(['run', noEnvJob, '--out', out, '--json'], NO_SERVICES, { timeoutMs: 110_000 });
    expect(r.code, r.stderr).toBe(0);
    const read = async (file: string) => {
      const nc = await openNetcdf(file);
      const names = [...nc.variables.keys()];
      await nc.close();
      return names;
    };
    const env = ['x_wind', 'y_wind', 'x_sea_water_velocity', 'y_sea_water_velocity'];
    expect(await read(path.join(out, 'raw/particles.nc'))).not.toEqual(expect.arrayContaining([env[0]]));
    // The default run of the same job records them (so the check above can fail).
    const withEnv = path.join(dir, 'out-env');
    expect((await runCli(['run', jobFile, '--out', withEnv], NO_SERVICES, { timeoutMs: 110_000 })).code).toBe(0);
    expect(await read(path.join(withEnv, 'raw/particles.nc'))).toEqual(expect.arrayContaining(env));
  });

  it('prints a human summary without --json', { timeout: 120_000 }, async () => {
    const r = await runCli(['run', jobFile, '--out', path.join(dir, 'out2')], NO_SERVICES, { timeoutMs: 110_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^mission local-run: \d+ products in .*out2 \(/m);
    expect(r.stdout).toMatch(/raw\/particles\.nc/);
  });

  it('refuses a bad job naming the field, and a missing --out, before doing anything', async () => {
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ mission_id: 'b', params: { latitude: 60, longitude: 3, start_time: 'yesterday' } }));
    const r = await runCli(['run', bad, '--out', path.join(dir, 'never')], NO_SERVICES);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_JOB_INVALID: params\.start_time: /);
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
    const noOut = await runCli(['run', jobFile], NO_SERVICES);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/--out DIR is required/);
  });
});
