/**
 * A validated Job -> the MissionSpec the pipeline runs (src/mission/spec.ts), once: the model's SI
 * parameters, the forcing request with the environment's defaults applied (FORCING_*_URI, the fallback
 * constants or E_FORCING_MISSING), the land, the scenarios, the search inputs and the product options.
 * Downstream code takes the spec and never reads the job or the config for these again.
 */
import type { Config } from '../config.js';
import { DriftlineError } from '../errors.js';
import type { ForcingRequest, LandRequest, NamedUris, VectorRequest } from '../forcing/types.js';
import type { MissionSpec } from '../mission/spec.js';
import { wrapLonDeg } from '../model/geo.js';
import type { ModelParams, ScenarioModel } from '../model/types.js';
import { splitScenarioParticles } from '../search/weights.js';
import { CAPSIZING_DEFAULTS, type Job, type JobParams } from './schema.js';
import { resolveCategory } from './validate.js';

/** Validated job params -> the model's SI parameters. */
export function toModelParams(params: JobParams): ModelParams {
  const c = params.capsizing === true ? { enabled: true, ...CAPSIZING_DEFAULTS } : params.capsizing;
  const capsizing =
    c !== false && c.enabled
      ? { windThresholdMps: c.wind_threshold_mps, windThresholdSigmaMps: c.wind_threshold_sigma_mps, leewayFraction: c.leeway_fraction }
      : null;
  return {
    category: resolveCategory(params.object_type),
    numParticles: params.num_particles,
    seed: params.seed,
    rng: params.rng,
    startTimeSec: Date.parse(params.start_time) / 1000,
    durationSec: Math.round(params.duration_hours * 3600),
    timeStepSec: params.time_step_seconds,
    outputStepSec: params.output_step_seconds,
    seeding: {
      lonDeg: wrapLonDeg(params.longitude),
      latDeg: params.latitude,
      radiusM: params.radius_m,
      radiusType: params.radius_type,
      ...(params.end_longitude !== undefined && params.end_latitude !== undefined
        ? { endLonDeg: wrapLonDeg(params.end_longitude), endLatDeg: params.end_latitude }
        : {}),
      ...(params.end_radius_m !== undefined ? { endRadiusM: params.end_radius_m } : {}),
      ...(params.end_time !== undefined ? { endTimeSec: Date.parse(params.end_time) / 1000 } : {}),
    },
    jibeProbabilityPerHour: params.jibe_probability_per_hour,
    capsizing,
    coastlineAction: params.coastline_action,
    windUncertaintyMps: params.wind_uncertainty_mps,
    currentUncertaintyMps: params.current_uncertainty_mps,
    stokesDrift: params.stokes_drift,
    ...(params.scenarios !== undefined ? { scenarios: scenarioModels(params) } : {}),
    horizontalDiffusivityM2ps: params.horizontal_diffusivity_m2ps,
    oceanOnly: params.ocean_only,
    coastlineApproximationPrecisionDeg: params.coastline_approximation_precision_deg,
  };
}

/**
 * params.scenarios -> the model's scenarios: particles split in proportion to the weights (at least 1
 * each, src/search/weights.ts splitScenarioParticles), each with its category and seeding.
 */
export function scenarioModels(params: JobParams): ScenarioModel[] {
  const scenarios = params.scenarios ?? [];
  const split = splitScenarioParticles(scenarios.map((sc) => sc.weight), params.num_particles);
  const total = scenarios.reduce((a, sc) => a + sc.weight, 0);
  return scenarios.map((sc, k) => {
    const [lonDeg, latDeg] = sc.latitude !== undefined && sc.longitude !== undefined ? [sc.longitude, sc.latitude] : [params.longitude, params.latitude];
    return {
      category: resolveCategory(sc.object_type ?? params.object_type, `params.scenarios[${k}].object_type`),
      seeding: {
        lonDeg: wrapLonDeg(lonDeg),
        latDeg,
        radiusM: sc.radius_m ?? params.radius_m,
        radiusType: sc.radius_type ?? params.radius_type,
        ...(sc.end_longitude !== undefined && sc.end_latitude !== undefined ? { endLonDeg: wrapLonDeg(sc.end_longitude), endLatDeg: sc.end_latitude } : {}),
        ...(sc.end_radius_m !== undefined ? { endRadiusM: sc.end_radius_m } : {}),
        ...(sc.end_time !== undefined ? { endTimeSec: Date.parse(sc.end_time) / 1000 } : {}),
      },
      releaseStartSec: Date.parse(sc.start_time ?? params.start_time) / 1000,
      first: split.first[k] ?? 0,
      count: split.counts[k] ?? 0,
      weight: sc.weight / total,
    };
  });
}

/** The environment's forcing defaults (src/config.ts): what a mission gets for a field it does not name. */
export type ForcingDefaults = Pick<
  Config,
  'FORCING_WIND_URI' | 'FORCING_CURRENT_URI' | 'FORCING_LAND_URI' | 'FORCING_FALLBACK' | 'FORCING_FALLBACK_WIND' | 'FORCING_FALLBACK_CURRENT'
>;

type VectorSpec = { constant: [number, number] } | { uri: string | string[]; variables?: { u: string; v: string } };

function namedUris(u: string | string[], base: string): NamedUris {
  const uris = [u].flat();
  return { uris, fields: uris.map((_, i) => (Array.isArray(u) ? `${base}[${i}]` : base)) };
}

/** An env list `a.nc, b.nc` -> its URIs, each named by the variable. */
function envUris(value: string, envName: string): NamedUris {
  const uris = value.includes(',') ? value.split(',').map((s) => s.trim()).filter(Boolean) : [value];
  return { uris, fields: uris.map(() => envName) };
}

function jobVector(spec: VectorSpec, field: string): VectorRequest {
  if ('constant' in spec) return { kind: 'constant', uMps: spec.constant[0], vMps: spec.constant[1] };
  return { kind: 'file', named: namedUris(spec.uri, `${field}.uri`), field: `${field}.uri`, ...(spec.variables ? { variables: spec.variables } : {}) };
}

/**
 * Per vector field: the job's `params.forcing.<kind>`, else FORCING_<KIND>_URI, else the fallback
 * constant FORCING_FALLBACK_<KIND> (products warn about it), or E_FORCING_MISSING with FORCING_FALLBACK=fail.
 */
function vectorRequest(kind: 'wind' | 'current', params: JobParams, env: ForcingDefaults): VectorRequest {
  const given = params.forcing?.[kind];
  if (given) return jobVector(given, `params.forcing.${kind}`);
  const envName = kind === 'wind' ? 'FORCING_WIND_URI' : 'FORCING_CURRENT_URI';
  const uri = env[envName];
  if (uri) return { kind: 'file', named: envUris(uri, envName), field: envName };
  if (env.FORCING_FALLBACK === 'fail') {
    throw new DriftlineError('E_FORCING_MISSING', `params.forcing.${kind}: the mission names no ${kind} forcing, ${envName} is unset and FORCING_FALLBACK=fail`, {
      field: `params.forcing.${kind}`,
    });
  }
  const [uMps, vMps] = kind === 'wind' ? env.FORCING_FALLBACK_WIND : env.FORCING_FALLBACK_CURRENT;
  return { kind: 'fallback', uMps, vMps, envName: `FORCING_FALLBACK_${kind.toUpperCase()}` };
}

/** `params.forcing.land`, else FORCING_LAND_URI, else none (the global coastline). */
function landRequest(params: JobParams, env: ForcingDefaults): LandRequest | null {
  const given = params.forcing?.land;
  if (given && 'constant' in given) return { kind: 'constant', value: given.constant };
  if (given) return { kind: 'file', named: namedUris(given.uri, 'params.forcing.land.uri'), ...(given.variable ? { variable: given.variable } : {}) };
  return env.FORCING_LAND_URI ? { kind: 'file', named: { uris: [env.FORCING_LAND_URI], fields: ['FORCING_LAND_URI'] } } : null;
}

/** The mission's forcing with the environment's defaults applied. */
export function forcingRequest(params: JobParams, env: ForcingDefaults): ForcingRequest {
  let stokes: VectorRequest | null = null;
  if (params.stokes_drift) {
    // drift:stokes_drift needs wave forcing from the job: no environment default, and a missing one is an
    // error rather than OpenDrift's silent fallback of 0 (a job that asks for Stokes drift means it).
    const given = params.forcing?.stokes;
    if (!given) {
      throw new DriftlineError('E_JOB_INVALID', 'params.forcing.stokes: params.stokes_drift is true but the mission gives no Stokes drift forcing (constant or a file with sea_surface_wave_stokes_drift_x/y_velocity)', {
        field: 'params.forcing.stokes',
      });
    }
    stokes = jobVector(given, 'params.forcing.stokes');
  }
  return { wind: vectorRequest('wind', params, env), current: vectorRequest('current', params, env), stokes, land: landRequest(params, env) };
}

/**
 * A validated job -> its MissionSpec. Throws E_FORCING_MISSING (no forcing and FORCING_FALLBACK=fail)
 * or E_JOB_INVALID (Stokes drift asked without Stokes forcing), naming the field.
 */
export function resolveMission(job: Job, env: ForcingDefaults): MissionSpec {
  const p = job.params;
  return {
    missionId: job.mission_id,
    model: toModelParams(p),
    forcing: forcingRequest(p, env),
    products: {
      animation: p.products.animation,
      map: p.products.map,
      densityCellM: p.products.density_cell_m,
      searchAreaPercents: p.products.search_area_percents,
      netcdfFormat: p.products.netcdf_format,
      recordEnvironment: p.products.record_environment,
    },
    ...(p.search !== undefined ? { search: p.search } : {}),
    ...(p.scenarios !== undefined ? { scenarioNames: p.scenarios.map((sc) => sc.name) } : {}),
    provenance: p,
  };
}
