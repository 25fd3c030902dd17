/**
 * Seeding: where and when each particle starts, and its Leeway coefficients, as OpenDrift's
 * `Leeway.seed_elements` / `seed_cone` (OPENDRIFT_LEEWAY.md §4):
 *
 *  - orientation = particle index % 2 (0 = OpenDrift's "RIGHT" label, CWR coefficients);
 *  - downwind eps = DWSTD·randn(), redrawn while DWSLOPE + eps/20 < 0 (one particle after the other);
 *  - then one crosswind randn per particle: eps = randn·CWRSTD (orientation 0) or ·CWLSTD (1);
 *  - then, if any radius > 0: gaussian x = randn·r for all particles, then y = randn·r for all
 *    (east/north metres), or uniform az = 360·rand for all, then dist = r·sqrt(rand) for all; the centre
 *    is moved by that displacement on the ellipsoid;
 *  - cone: centres are pyproj `npts` points strictly between the two ends, radius
 *    linspace(radius, endRadius, N) rounded to float32;
 *  - release window: particle k at start + k·Δ, Δ = (end − start)/(N − 1) rounded to the microsecond
 *    half-to-even (Python timedelta division);
 *  - coefficients and seed positions are stored as float32, as OpenDrift's element arrays.
 *
 * `seedRange` seeds particles [i0, i1) from one random source in that order, so the whole run with
 * numpy's generator reproduces OpenDrift's draws, and a block with its own stream is independent of the
 * others.
 *
 * Weighted scenarios (issue 8, `model.scenarios`): each scenario is one SeedGeometry over its own
 * particle range, with its own category and seeding, as if OpenDrift's `seed_elements` were called
 * once per scenario (orientation and cone/release index count from the scenario's first particle).
 * `seedSpan` seeds a range that may cross scenarios, scenario by scenario, from the same random
 * source. Without scenarios there is one geometry over [0, N) and the draws are exactly the old ones.
 */
import { GeodesicSegment, moveGeodesic, syncTrig } from './geodesy.js';
import type { RunPlan } from './plan.js';
import type { RandomSource } from './rng.js';
import type { SimArrays } from './state.js';
import { STATUS, type LeewayCategory, type ModelParams, type ScenarioModel } from './types.js';

const DEG = Math.PI / 180;
const f32 = Math.fround;

/** Python's `_divide_and_round`: a / b rounded to the nearest integer, ties to even (b > 0). */
export function divideRoundHalfEven(a: number, b: number): number {
  let q = Math.floor(a / b);
  let r = a - q * b;
  // Guard the float floor against an off-by-one (a, b are exact integers below 2^53).
  if (r < 0) {
    q -= 1;
    r += b;
  } else if (r >= b) {
    q += 1;
    r -= b;
  }
  const twice = 2 * r;
  if (twice > b || (twice === b && q % 2 !== 0)) q += 1;
  return q;
}

/** Everything about seeding that does not depend on random draws. */
export class SeedGeometry {
  /** Particles of this geometry (the scenario's count, else the run's). */
  readonly n: number;
  /** Index of its first particle in the run (0 without scenarios). */
  readonly first: number;
  /** Leeway category whose coefficients its particles draw. */
  readonly category: LeewayCategory;
  /** Release offset of its first particle from the run's start, microseconds (0 without scenarios). */
  private readonly baseOffsetUs: number;
  private readonly lonDeg: number;
  private readonly latDeg: number;
  private readonly segment: GeodesicSegment | null;
  /** Cone-style seeding (OpenDrift seed_cone): per-particle radius, float32. */
  private readonly coneRadius: boolean;
  private readonly radiusM: number;
  private readonly endRadiusM: number;
  readonly radiusType: 'gaussian' | 'uniform';
  /** True when any particle has a radius > 0 (OpenDrift draws the offsets only then). */
  readonly hasRadius: boolean;
  /** Release interval between consecutive particles, microseconds (signed). */
  private readonly releaseStepUs: number;
  private readonly startTimeSec: number;

  constructor(model: ModelParams, scenario?: ScenarioModel) {
    const s = scenario?.seeding ?? model.seeding;
    const n = scenario?.count ?? model.numParticles;
    const releaseStartSec = scenario?.releaseStartSec ?? model.startTimeSec;
    this.n = n;
    this.first = scenario?.first ?? 0;
    this.category = scenario?.category ?? model.category;
    this.baseOffsetUs = scenario === undefined ? 0 : Math.round((releaseStartSec - model.startTimeSec) * 1e6);
    this.lonDeg = s.lonDeg;
    this.latDeg = s.latDeg;
    const cone = s.endLonDeg !== undefined && s.endLatDeg !== undefined;
    this.segment = s.endLonDeg !== undefined && s.endLatDeg !== undefined ? new GeodesicSegment(s.lonDeg, s.latDeg, s.endLonDeg, s.endLatDeg) : null;
    this.coneRadius = cone || s.endRadiusM !== undefined;
    this.radiusM = s.radiusM;
    this.endRadiusM = s.endRadiusM ?? s.radiusM;
    this.radiusType = s.radiusType;
    this.hasRadius = Math.max(s.radiusM, this.endRadiusM) > 0;
    this.startTimeSec = model.startTimeSec;
    if (s.endTimeSec !== undefined && n > 1) {
      const spanUs = Math.round((s.endTimeSec - releaseStartSec) * 1e6);
      this.releaseStepUs = divideRoundHalfEven(spanUs, n - 1);
    } else {
      this.releaseStepUs = 0;
    }
  }

  /** Centre of particle k (run index) before the radius offset: [lonDeg, latDeg] into out. */
  centre(k: number, out: Float64Array): void {
    if (this.segment === null) {
      out[0] = this.lonDeg;
      out[1] = this.latDeg;
    } else {
      this.segment.intermediatePoint(k - this.first, this.n, out);
    }
  }

  /** Radius of particle k, metres (numpy linspace, float32 for cone seeding as seed_cone does). */
  radius(run: number): number {
    if (!this.coneRadius) return this.radiusM;
    const n = this.n;
    const k = run - this.first;
    if (n === 1 || this.endRadiusM === this.radiusM) return f32(this.radiusM);
    if (k === n - 1) return f32(this.endRadiusM);
    return f32(k * ((this.endRadiusM - this.radiusM) / (n - 1)) + this.radiusM);
  }

  /** Release time of particle k relative to the start, microseconds (exact integer). */
  releaseOffsetUs(k: number): number {
    return this.baseOffsetUs + (k - this.first) * this.releaseStepUs;
  }

  releaseTimeSec(k: number): number {
    return this.startTimeSec + this.releaseOffsetUs(k) / 1e6;
  }

  /** The calculation step that releases particle k: k·|dt| <= |offset| < (k+1)·|dt| (OpenDrift release_elements). */
  releaseStep(k: number, plan: RunPlan): number {
    return Math.floor(Math.abs(this.releaseOffsetUs(k)) / (plan.absDtSec * 1e6));
  }
}

/**
 * Seeds particles [i0, i1): release step, coefficients, positions; status NOT_RELEASED.
 * Draws from `rng` in OpenDrift's order (all downwind, all crosswind, all x, all y) over the range.
 */
export function seedRange(_model: ModelParams, geometry: SeedGeometry, plan: RunPlan, arrays: SimArrays, i0: number, i1: number, rng: RandomSource): void {
  const c = arrays.coefficients;
  const st = arrays.state;
  const cat = geometry.category;
  const first = geometry.first;
  const dwSlope = cat.dwSlopePct;
  const dwStd = cat.dwStdCmps;

  for (let k = i0; k < i1; k++) {
    const orientation = (k - first) % 2;
    c.orientation[k] = orientation;
    st.orientation[k] = orientation;
    c.capsized[k] = 0;
    st.capsized[k] = 0;
    c.dwSlopePct[k] = dwSlope;
    c.dwOffsetCmps[k] = cat.dwOffsetCmps;
    c.cwSlopePct[k] = orientation === 0 ? cat.cwrSlopePct : cat.cwlSlopePct;
    c.cwOffsetCmps[k] = orientation === 0 ? cat.cwrOffsetCmps : cat.cwlOffsetCmps;
    c.releaseTimeSec[k] = geometry.releaseTimeSec(k);
    st.releaseStep[k] = geometry.releaseStep(k, plan);
    st.status[k] = STATUS.NOT_RELEASED;
  }
  // Downwind: a truncated normal by rejection, one particle after the other (leeway.py seed_elements).
  for (let k = i0; k < i1; k++) {
    let eps = rng.gauss() * dwStd;
    while (dwSlope + eps / 20 < 0) eps = rng.gauss() * dwStd;
    c.dwEpsCmps[k] = eps;
  }
  // Crosswind: one vector drawn after all downwind draws; no truncation.
  for (let k = i0; k < i1; k++) {
    const std = (k - first) % 2 === 0 ? cat.cwrStdCmps : cat.cwlStdCmps;
    c.cwEpsCmps[k] = rng.gauss() * std;
  }

  // [lonDeg, latDeg]: its reads below are in range, `?? NaN` only satisfies the type.
  const centre = new Float64Array(2);
  const lon = st.lonDeg;
  const lat = st.latDeg;
  if (geometry.hasRadius) {
    // Two passes as OpenDrift draws them: all first components, then all second ones. The first pass
    // parks its draws in the latitude array until the second pass uses them.
    if (geometry.radiusType === 'gaussian') {
      for (let k = i0; k < i1; k++) lat[k] = rng.gauss() * geometry.radius(k); // x, east
      for (let k = i0; k < i1; k++) {
        const eastM = lat[k] ?? NaN; // k < i1 <= n: in range (NaN is what a read past the end gave)
        const northM = rng.gauss() * geometry.radius(k);
        geometry.centre(k, centre);
        lon[k] = centre[0] ?? NaN;
        lat[k] = centre[1] ?? NaN;
        moveGeodesic(lon, lat, k, eastM, northM);
      }
    } else {
      for (let k = i0; k < i1; k++) lat[k] = rng.random() * 360; // azimuth, degrees
      for (let k = i0; k < i1; k++) {
        const azRad = (lat[k] ?? NaN) * DEG; // k < i1 <= n: in range
        const distM = Math.sqrt(rng.random()) * geometry.radius(k);
        geometry.centre(k, centre);
        lon[k] = centre[0] ?? NaN;
        lat[k] = centre[1] ?? NaN;
        moveGeodesic(lon, lat, k, distM * Math.sin(azRad), distM * Math.cos(azRad));
      }
    }
  } else {
    for (let k = i0; k < i1; k++) {
      geometry.centre(k, centre);
      lon[k] = centre[0] ?? NaN;
      lat[k] = centre[1] ?? NaN;
    }
  }
  // OpenDrift's element arrays are float32: the seed positions are rounded once.
  for (let k = i0; k < i1; k++) {
    const lo = f32(lon[k] ?? NaN); // k < i1 <= n: in range
    const la = f32(lat[k] ?? NaN);
    lon[k] = lo;
    lat[k] = la;
    c.seedLonDeg[k] = lo;
    c.seedLatDeg[k] = la;
  }
  syncTrig(st, i0, i1);
}

/** One SeedGeometry per scenario in particle order, or one over the whole run without scenarios. */
export function seedGeometries(model: ModelParams): SeedGeometry[] {
  const scenarios = model.scenarios;
  if (scenarios === undefined || scenarios.length === 0) return [new SeedGeometry(model)];
  return scenarios.map((sc) => new SeedGeometry(model, sc));
}

/**
 * Seeds [i0, i1), which may cross scenarios: each geometry's part in particle order from the same
 * random source, then `after(geometryIndex, a, b)` (e.g. move the part's land seeds to water).
 */
export function seedSpan(
  model: ModelParams,
  geometries: readonly SeedGeometry[],
  plan: RunPlan,
  arrays: SimArrays,
  i0: number,
  i1: number,
  rng: RandomSource,
  after?: (geometryIndex: number, a: number, b: number) => void,
): void {
  geometries.forEach((g, gi) => {
    const a = Math.max(i0, g.first);
    const b = Math.min(i1, g.first + g.n);
    if (a >= b) return;
    seedRange(model, g, plan, arrays, a, b, rng);
    after?.(gi, a, b);
  });
}
