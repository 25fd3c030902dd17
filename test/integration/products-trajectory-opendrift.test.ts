/**
 * raw/particles.nc has the structure OpenDrift 1.14.10's own tools need, checked without OpenDrift (by
 * ncdump and netcdfjs): OpenDrift's Leeway variable names on (trajectory, time), NaN / all-bits fills,
 * masking after deactivation, OpenDrift's row order in backward runs, no `coordinates` attributes, and the
 * global attributes `opendrift.open()` reads. That OpenDrift's tools open such a file was verified by
 * hand with a local OpenDrift (scripts/opendrift/check_particles_nc.py; see test/fixtures/opendrift/README.md).
 */
import { productContextOf } from '../helpers/spec.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constantSampler } from '../../src/forcing/sampler.js';
import { validateJob } from '../../src/job/validate.js';
import { toModelParams } from '../../src/job/resolve.js';
import { simulateLocal } from '../../src/model/simulation.js';
import { STATUS, type TrajectoryResult } from '../../src/model/types.js';
import { pythonTimedelta } from '../../src/products/opendrift-attrs.js';
import { writeTrajectoryNc } from '../../src/products/trajectory.js';
import type { ProductContext } from '../../src/products/types.js';
import { syntheticContext, syntheticResult } from '../unit/products.fixtures.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-od-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The (trajectory, time) variables of OpenDrift's Leeway output (../shared/reference/opendrift/output_header.txt). */
const OPENDRIFT_RECORD_VARS = [
  'status', 'moving', 'age_seconds', 'origin_marker', 'lon', 'lat', 'z', 'object_type', 'orientation', 'jibe_probability',
  'capsized', 'downwind_slope', 'crosswind_slope', 'downwind_offset', 'crosswind_offset', 'downwind_eps', 'crosswind_eps',
  'current_drift_factor', 'x_wind', 'y_wind', 'x_sea_water_velocity', 'y_sea_water_velocity',
];
const INTEGER_VARS = new Set(['status', 'moving', 'origin_marker', 'object_type', 'orientation', 'capsized']);

function backwardRun(): { result: TrajectoryResult; ctx: ProductContext } {
  const job = validateJob({
    mission_id: 'od-backward',
    params: {
      latitude: 45, longitude: -30, start_time: '2024-01-02T00:00:00Z', duration_hours: 3, num_particles: 40, object_type: 1,
      radius_m: 500, time_step_seconds: -900, rng: 'opendrift', coastline_action: 'none',
      forcing: { wind: { constant: [10, 0] }, current: { constant: [0.2, 0.3] } },
    },
  });
  const model = toModelParams(job.params);
  const result = simulateLocal(model, { wind: constantSampler(10, 0), current: constantSampler(0.2, 0.3), land: null, recordEnvironment: true });
  const ctx: ProductContext = productContextOf(job, {
    wind: { kind: 'constant', description: 'constant [10, 0]', fallback: false },
    current: { kind: 'constant', description: 'constant [0.2, 0.3]', fallback: false },
  });
  return { result, ctx };
}

const flat = (r: NetCDFReader, name: string) => (r.getDataVariable(name) as unknown[]).flat() as number[];

describe('raw/particles.nc in OpenDrift\'s Leeway layout', () => {
  const fwdFile = path.join(dir, 'fwd.nc');
  const bwdFile = path.join(dir, 'bwd.nc');
  const N = 60;
  const NT = 13;
  const fwd = syntheticResult({ nParticles: N, nTimes: NT, releaseSteps: 4 }); // particles 0, 10, … strand at record 6; 1, 11, … leave the forcing at record 9
  const bwd = backwardRun();
  let fr: NetCDFReader;
  let br: NetCDFReader;
  beforeAll(async () => {
    await writeTrajectoryNc(fwd, syntheticContext(), fwdFile);
    await writeTrajectoryNc(bwd.result, bwd.ctx, bwdFile);
    fr = new NetCDFReader(readFileSync(fwdFile));
    br = new NetCDFReader(readFileSync(bwdFile));
  });

  it('declares every OpenDrift Leeway variable on (trajectory, time), floats with NaN fill, integers with all bits set', () => {
    const cdl = execFileSync('ncdump', ['-h', fwdFile], { encoding: 'utf8' });
    for (const name of OPENDRIFT_RECORD_VARS) {
      expect(cdl, name).toMatch(new RegExp(`\\t(float|byte|short) ${name}\\(trajectory, time\\) ;`));
      const type = fr.variables.find((v) => v.name === name)!.type;
      expect(type, name).toBe(INTEGER_VARS.has(name) ? (name === 'object_type' ? 'short' : 'byte') : 'float');
      if (INTEGER_VARS.has(name)) expect(cdl, name).toContain(`${name}:_FillValue = -1${name === 'object_type' ? 's' : 'b'} ;`);
      else expect(cdl, name).toContain(`${name}:_FillValue = NaNf ;`);
    }
    expect(cdl).toContain('int trajectory(trajectory) ;');
    expect(cdl).toContain('trajectory:cf_role = "trajectory_id" ;');
    expect(cdl).toContain(':featureType = "trajectory" ;');
    expect(cdl).toContain('status:flag_meanings = "active stranded missing_data" ;');
    expect(cdl).not.toContain(':coordinates');
  });

  it('carries the global attributes opendrift.open() reads: class, module, time steps, config_* settings', () => {
    expect(fr.getAttribute('opendrift_class')).toBe('Leeway');
    expect(fr.getAttribute('opendrift_module')).toBe('opendrift.models.leeway');
    expect(fr.getAttribute('time_step_calculation')).toBe('0:10:00');
    expect(fr.getAttribute('time_step_output')).toBe('1:00:00');
    expect(br.getAttribute('time_step_calculation')).toBe('-1 day, 23:45:00');
    expect(br.getAttribute('time_step_output')).toBe('-1 day, 23:00:00');
    expect(fr.getAttribute('config_seed:object_type')).toBe('Person-in-water (PIW), unknown state (mean values)');
    expect(fr.getAttribute('config_seed:jibe_probability')).toBe(0.04);
    expect(fr.getAttribute('config_processes:capsizing')).toBe('False');
    expect(fr.getAttribute('config_general:coastline_action')).toBe('stranding');
    expect(execFileSync('ncdump', ['-h', fwdFile], { encoding: 'utf8' })).toContain(':config_general\\:time_step_minutes = 10. ;');
  });

  it('masks every record after the one in which a particle was deactivated, and every record before release', () => {
    const status = flat(fr, 'status');
    const lat = fr.getDataVariable('lat') as number[];
    const age = fr.getDataVariable('age_seconds') as number[];
    const orientation = flat(fr, 'orientation');
    let strandedChecked = 0;
    for (let p = 0; p < N; p++) {
      const strandAt = p % 10 === 0 ? Math.floor(NT / 2) : Infinity;
      const outsideAt = p % 10 === 1 ? Math.floor((3 * NT) / 4) : Infinity;
      const release = Math.floor((p / N) * 4);
      for (let t = 0; t < NT; t++) {
        const i = p * NT + t;
        const written = t >= release && t <= Math.min(strandAt, outsideAt);
        expect(Number.isNaN(lat[i]), `particle ${p} record ${t}`).toBe(!written);
        expect(status[i] === 255, `status of particle ${p} record ${t}`).toBe(!written); // -1 read unsigned
        expect(orientation[i] === 255, `orientation of particle ${p} record ${t}`).toBe(!written);
        if (written) expect(age[i]).toBe((t - release) * 3600); // age 0 in the release record
      }
      if (strandAt < NT) {
        expect(status[p * NT + strandAt]).toBe(STATUS.STRANDED); // one record with the deactivated status
        strandedChecked++;
      }
      if (outsideAt < NT) expect(status[p * NT + outsideAt]).toBe(STATUS.OUTSIDE);
    }
    expect(strandedChecked).toBe(6);
  });

  it('writes a backward run in OpenDrift\'s order: row i is the particle seeded last-but-i, ids 0..N-1, negative age', () => {
    const { result } = bwd;
    const n = result.nParticles;
    const nT = result.nTimes;
    expect(br.getDataVariable('trajectory')).toEqual(Array.from({ length: n }, (_, i) => i));
    const lon = br.getDataVariable('lon') as number[];
    const eps = br.getDataVariable('downwind_eps') as number[];
    const index = br.getDataVariable('particle_index') as number[];
    for (let row = 0; row < n; row++) {
      const p = n - 1 - row;
      expect(index[row]).toBe(p);
      for (let t = 0; t < nT; t++) {
        if (lon[row * nT + t] !== result.lonDeg[p * nT + t]) throw new Error(`row ${row} record ${t}`);
        expect(eps[row * nT + t]).toBe(result.coefficients.dwEpsCmps[p]);
      }
    }
    expect((br.getDataVariable('age_seconds') as number[]).slice(0, nT)).toEqual([0, -3600, -7200, -10800]);
    expect(br.getDataVariable('time')).toEqual(Array.from(result.timesSec));
    expect(result.timesSec[1]).toBeLessThan(at(result.timesSec, 0));
  });

  it('formats time steps as Python str(timedelta)', () => {
    expect(pythonTimedelta(900)).toBe('0:15:00');
    expect(pythonTimedelta(86_400)).toBe('1 day, 0:00:00');
    expect(pythonTimedelta(2 * 86_400 + 61)).toBe('2 days, 0:01:01');
    expect(pythonTimedelta(-900)).toBe('-1 day, 23:45:00');
    expect(pythonTimedelta(-3600)).toBe('-1 day, 23:00:00');
  });
});
