/**
 * Shared helpers for the model tests: the OpenDrift reference fixtures (test/fixtures/opendrift, copied
 * from real OpenDrift 1.14.10 runs) and the measures they are compared with.
 */
import { readFileSync, readdirSync } from 'node:fs';
import geodesic from 'geographiclib-geodesic';
import { NetCDFReader } from 'netcdfjs';
import { findCategory } from '../../src/model/objects.js';
import type { ModelParams, RngKind } from '../../src/model/types.js';
import { at } from '../helpers/indexed.js';

export const FIXTURES = new URL('../fixtures/opendrift/', import.meta.url);
const WGS84 = geodesic.Geodesic.WGS84;

export function readFixture<T = unknown>(rel: string): T {
  return JSON.parse(readFileSync(new URL(rel, FIXTURES), 'utf8')) as T;
}

export interface ScenarioInputs {
  number: number;
  seed_lon: number;
  seed_lat: number;
  seed_time: string;
  duration_s: number;
  time_step_s: number;
  time_step_output_s: number;
  object: { object_type: number };
  forcing: { x_wind: number; y_wind: number; x_sea_water_velocity: number; y_sea_water_velocity: number };
}

export interface HourlyStats {
  hours: number;
  n_active: number;
  centroid_lon: number;
  centroid_lat: number;
  wind_dir_to_deg_used: number;
  std_downwind_km: number;
  std_crosswind_km: number;
  mean_downwind_km: number;
  mean_crosswind_right_km: number;
  ref_passive_tracer_lon?: number;
  ref_passive_tracer_lat?: number;
}

export interface Scenario {
  scenario: string;
  inputs: ScenarioInputs;
  hourly: HourlyStats[];
}

export interface ScenarioParticles {
  /** orientation, downwind_slope, downwind_offset, downwind_eps, crosswind_slope, crosswind_offset, crosswind_eps, lon, lat */
  initial: number[][];
  /** lon, lat, orientation, crosswind_slope, status */
  final: number[][];
  tracks_first_particles: Record<string, number[][]>;
}

/** Names of the a_* / b_* scenarios (three categories × two time steps each). */
export function scenarioNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => /^[ab]_.*\.json$/.test(f))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

export function loadScenario(name: string): { scenario: Scenario; particles: ScenarioParticles } {
  return { scenario: readFixture<Scenario>(`${name}.json`), particles: readFixture<ScenarioParticles>(`particles/${name}_particles.json`) };
}

/** The mission a scenario describes, as ModelParams (land off, as in the reference runs). */
export function scenarioModel(inputs: ScenarioInputs, rng: RngKind, overrides: Partial<ModelParams> = {}): ModelParams {
  return {
    category: findCategory(inputs.object.object_type)!,
    numParticles: inputs.number,
    seed: 0,
    rng,
    startTimeSec: Date.parse(`${inputs.seed_time.replace(' ', 'T')}Z`) / 1000,
    durationSec: inputs.duration_s,
    timeStepSec: inputs.time_step_s,
    outputStepSec: inputs.time_step_output_s,
    seeding: { lonDeg: inputs.seed_lon, latDeg: inputs.seed_lat, radiusM: 0, radiusType: 'gaussian' },
    jibeProbabilityPerHour: 0.04,
    capsizing: null,
    coastlineAction: 'none',
    ...overrides,
  };
}

/** Geodesic distance between two points, metres (Karney, geographiclib). */
export function distanceM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  return WGS84.Inverse(lat1, lon1, lat2, lon2, geodesic.Geodesic.DISTANCE).s12!;
}

/** East/north km of a point in the azimuthal-equidistant projection centred on (lon0, lat0), as the fixtures. */
export function eastNorthKm(lon: number, lat: number, lon0: number, lat0: number): [number, number] {
  const r = WGS84.Inverse(lat0, lon0, lat, lon, geodesic.Geodesic.DISTANCE | geodesic.Geodesic.AZIMUTH);
  const az = (r.azi1! * Math.PI) / 180;
  return [(r.s12! * Math.sin(az)) / 1000, (r.s12! * Math.cos(az)) / 1000];
}

/** Population mean and standard deviation. */
export function meanStd(v: number[]): { mean: number; std: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const varc = v.reduce((a, b) => a + (b - mean) * (b - mean), 0) / v.length;
  return { mean, std: Math.sqrt(varc) };
}

/**
 * numpy's `np.mean` of a float32 array of at most 128 values, as OpenDrift's export_ascii computes the
 * mean positions: pairwise sum in float32 (8 running partial sums, combined pairwise, then the rest),
 * divided in float32.
 */
export function numpyFloat32Mean(values: number[]): number {
  const f = Math.fround;
  const n = values.length;
  if (n > 128) throw new Error('numpyFloat32Mean: only the unblocked case (n <= 128) is reproduced');
  let sum: number;
  if (n < 8) {
    sum = 0;
    for (const v of values) sum = f(sum + v);
  } else {
    const r = values.slice(0, 8).map(f);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = f(at(r, j) + at(values, i + j));
    sum = f(f(f(at(r, 0) + at(r, 1)) + f(at(r, 2) + at(r, 3))) + f(f(at(r, 4) + at(r, 5)) + f(at(r, 6) + at(r, 7))));
    for (; i < n; i++) sum = f(sum + at(values, i));
  }
  return f(sum / n);
}

/** Inputs of a run made by scripts/opendrift/make_references.py (its `<name>.json`). */
export interface RunInputs {
  wind: [number, number];
  current: [number, number];
  number: number;
  object_type: number;
  time_step_s: number;
  duration_h: number;
  radius_m: number;
  seed_time: string;
  lon: number;
  lat: number;
  configs: Record<string, unknown>;
}

/** Reads one of the trimmed OpenDrift outputs written by scripts/opendrift/make_references.py. */
export function readReference(name: string): { inputs: RunInputs; nc: NetCDFReader; nT: number; n: number } {
  const inputs = JSON.parse(readFileSync(new URL(`${name}.json`, FIXTURES), 'utf8')) as RunInputs;
  const nc = new NetCDFReader(readFileSync(new URL(`${name}.nc`, FIXTURES)));
  const n = nc.dimensions.find((d) => d.name === 'trajectory')!.size;
  const nT = nc.dimensions.find((d) => d.name === 'time')!.size;
  return { inputs, nc, n, nT };
}

/**
 * The job params of such a run (seed, length, step, rng "opendrift"); the caller adds its forcing. Runs whose
 * JSON names no object type keep the job's default.
 */
export function referenceJobParams(inputs: Pick<RunInputs, 'lat' | 'lon' | 'duration_h' | 'number' | 'radius_m' | 'time_step_s'> & { object_type?: number }): Record<string, unknown> {
  return {
    latitude: inputs.lat,
    longitude: inputs.lon,
    start_time: '2024-01-01T00:00:00Z',
    duration_hours: inputs.duration_h,
    num_particles: inputs.number,
    radius_m: inputs.radius_m,
    ...(inputs.object_type !== undefined ? { object_type: inputs.object_type } : {}),
    time_step_seconds: inputs.time_step_s,
    rng: 'opendrift',
  };
}

/** The ModelParams of such a run, rng "opendrift", seed 0, land off. */
export function referenceModel(inputs: RunInputs, overrides: Partial<ModelParams> = {}): ModelParams {
  return {
    category: findCategory(inputs.object_type)!,
    numParticles: inputs.number,
    seed: 0,
    rng: 'opendrift',
    startTimeSec: Date.parse(inputs.seed_time) / 1000,
    durationSec: inputs.duration_h * 3600,
    timeStepSec: inputs.time_step_s,
    outputStepSec: 3600,
    seeding: { lonDeg: inputs.lon, latDeg: inputs.lat, radiusM: inputs.radius_m, radiusType: 'gaussian' },
    jibeProbabilityPerHour: 0.04,
    capsizing: null,
    coastlineAction: 'none',
    ...overrides,
  };
}
