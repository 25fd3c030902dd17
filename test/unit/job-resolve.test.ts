// A job is resolved once (src/job/resolve.ts) into the MissionSpec the pipeline runs: these pin what the
// spec holds and which environment default wins, so no downstream code needs the job or the config.
import { describe, expect, it } from 'vitest';
import { DriftlineError } from '../../src/errors.js';
import { resolveMission, type ForcingDefaults } from '../../src/job/resolve.js';
import { CAPSIZING_DEFAULTS } from '../../src/job/schema.js';
import { validateJob } from '../../src/job/validate.js';
import { jobFailure } from './job.fixtures.js';

const base = { latitude: 60, longitude: 4, start_time: '2024-01-01T00:00:00Z', duration_hours: 6 };
const env: ForcingDefaults = { FORCING_FALLBACK: 'constant', FORCING_FALLBACK_WIND: [5, 0], FORCING_FALLBACK_CURRENT: [0.1, 0.2] };
const job = (params: object) => validateJob({ mission_id: 'm-1', params: { ...base, ...params } });

function resolveError(params: object, defaults: ForcingDefaults): DriftlineError {
  try {
    resolveMission(job(params), defaults);
  } catch (e) {
    if (e instanceof DriftlineError) return e;
    throw e;
  }
  throw new Error('job was resolved');
}

describe('resolveMission', () => {
  it('holds the model, the product options, the search inputs and the job as provenance', () => {
    const search = { completed: [{ name: 'Sweep 1', start_time: '2024-01-01T02:00:00Z', end_time: '2024-01-01T03:00:00Z', polygon: [[4, 60], [4.1, 60], [4.1, 60.1], [4, 60.1], [4, 60]], sweep_width_nm: 1, track_spacing_nm: 1 }] };
    const j = job({ num_particles: 300, products: { animation: false, density_cell_m: 500 }, scenarios: [{ weight: 2, name: 'raft' }, { weight: 1 }] });
    const spec = resolveMission(j, env);
    expect(spec.missionId).toBe('m-1');
    expect(spec.model.numParticles).toBe(300);
    expect(spec.model.durationSec).toBe(6 * 3600);
    expect(spec.products).toEqual({ animation: false, map: true, densityCellM: 500, searchAreaPercents: [50, 90, 95], netcdfFormat: 'auto', recordEnvironment: true });
    expect(resolveMission(job({ products: { record_environment: false } }), env).products.recordEnvironment).toBe(false);
    expect(spec.scenarioNames).toEqual(['raft', undefined]);
    expect(spec.provenance).toBe(j.params);
    expect(spec.search).toBeUndefined();
    const withSearch = validateJob({ mission_id: 'm-2', params: { ...base, search } });
    expect(resolveMission(withSearch, env).search).toBe(withSearch.params.search);
  });

  it("takes the job's forcing first, then FORCING_*_URI, then the marked fallback constant", () => {
    const own = resolveMission(job({ forcing: { wind: { constant: [7, 1] }, current: { uri: ['a.nc', 'b.nc'], variables: { u: 'uo', v: 'vo' } } } }), {
      ...env,
      FORCING_WIND_URI: 'env-wind.nc',
    });
    expect(own.forcing.wind).toEqual({ kind: 'constant', uMps: 7, vMps: 1 });
    expect(own.forcing.current).toEqual({
      kind: 'file',
      named: { uris: ['a.nc', 'b.nc'], fields: ['params.forcing.current.uri[0]', 'params.forcing.current.uri[1]'] },
      field: 'params.forcing.current.uri',
      variables: { u: 'uo', v: 'vo' },
    });
    const fromEnv = resolveMission(job({}), { ...env, FORCING_WIND_URI: 'w1.nc, w2.nc', FORCING_LAND_URI: 'land.nc' });
    expect(fromEnv.forcing.wind).toEqual({ kind: 'file', named: { uris: ['w1.nc', 'w2.nc'], fields: ['FORCING_WIND_URI', 'FORCING_WIND_URI'] }, field: 'FORCING_WIND_URI' });
    expect(fromEnv.forcing.current).toEqual({ kind: 'fallback', uMps: 0.1, vMps: 0.2, envName: 'FORCING_FALLBACK_CURRENT' });
    expect(fromEnv.forcing.land).toEqual({ kind: 'file', named: { uris: ['land.nc'], fields: ['FORCING_LAND_URI'] } });
    expect(fromEnv.forcing.stokes).toBeNull();
    expect(resolveMission(job({ forcing: { land: { constant: 1 } } }), env).forcing.land).toEqual({ kind: 'constant', value: 1 });
  });

  it('fails naming the field when the environment cannot serve the job', () => {
    const missing = resolveError({ forcing: { wind: { constant: [1, 1] } } }, { ...env, FORCING_FALLBACK: 'fail' });
    expect(missing.code).toBe('E_FORCING_MISSING');
    expect(missing.field).toBe('params.forcing.current');
    const stokes = resolveError({ stokes_drift: true }, env);
    expect(stokes.code).toBe('E_JOB_INVALID');
    expect(stokes.field).toBe('params.forcing.stokes');
  });

  it('writes the capsizing defaults once: `true` and an empty object mean the same', () => {
    const a = resolveMission(job({ capsizing: true }), env).model.capsizing;
    const b = resolveMission(job({ capsizing: {} }), env).model.capsizing;
    expect(a).toEqual({ windThresholdMps: CAPSIZING_DEFAULTS.wind_threshold_mps, windThresholdSigmaMps: CAPSIZING_DEFAULTS.wind_threshold_sigma_mps, leewayFraction: CAPSIZING_DEFAULTS.leeway_fraction });
    expect(b).toEqual(a);
    expect(resolveMission(job({ capsizing: { enabled: false } }), env).model.capsizing).toBeNull();
  });

  it('refuses a list of land masks instead of reading its first file only', () => {
    const e = jobFailure({ mission_id: 'm', params: { ...base, forcing: { land: { uri: ['a.nc', 'b.nc'] } } } });
    expect(e.code).toBe('E_JOB_INVALID');
    expect(e.field).toBe('params.forcing.land.uri');
    expect(e.message).toMatch(/a land mask is one file/);
    expect(() => validateJob({ mission_id: 'm', params: { ...base, forcing: { land: { uri: ['a.nc'] } } } })).not.toThrow();
  });
});
