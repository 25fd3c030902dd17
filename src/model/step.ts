/**
 * One calculation step of the Leeway model for a contiguous particle range [i0, i1), in OpenDrift's
 * order (basemodel run loop, OPENDRIFT_LEEWAY.md §5–§8):
 *
 *   beginStep:   release particles whose release time falls in [t, t + dt); sample wind and current at
 *                the positions and t; add the current then wind uncertainty draws (if any); coastline action on particles found on land; deactivate particles
 *                whose forcing is missing (NaN: outside a gridded field) as STATUS.OUTSIDE;
 *   writeRecord: (on output steps) the state before the step;
 *   advanceStep: remember positions; capsizing draws (if enabled); leeway move then current move, each a
 *                geodesic move on WGS84; one jibe draw per active particle; then (drift:stokes_drift) a
 *                third move by the surface Stokes drift.
 *   finishRun:   coastline action at the final positions, and the last record.
 *
 * The leeway arithmetic is float32 as in OpenDrift (numpy float32 element and environment arrays):
 * every float32 operation is `Math.fround` of the double result, which is exactly IEEE float32.
 * Allocation-free: all arrays come from SimArrays.
 */
import type { EnvRecordSink } from './env-records.js';
import { coastlineCrossing } from './land.js';
import { moveParticleOnce, moveParticleTwice, syncTrig, TWO_MOVES } from './geodesy.js';
import { stepTimeSec, type RunPlan } from './plan.js';
import type { RandomSource } from './rng.js';
import type { SimArrays } from './state.js';
import { STATUS, type CoastlineAction, type EnsembleOrder, type LandSampler, type ModelParams, type VectorSampler } from './types.js';

const f32 = Math.fround;
const F32_001 = f32(0.01);
const ACTIVE = STATUS.ACTIVE;
const NOT_RELEASED = STATUS.NOT_RELEASED;

/** OpenDrift's default `general:coastline_approximation_precision`, degrees. */
export const DEFAULT_COASTLINE_PRECISION_DEG = 0.001;

export interface StepOptions {
  wind: VectorSampler;
  current: VectorSampler;
  /** null: no land at all (coastline action 'none' or an all-water mask). */
  land: LandSampler | null;
  recordEnvironment: boolean;
  /** Surface Stokes drift (OpenDrift drift:stokes_drift); needs arrays allocated with `stokes: true`. */
  stokes?: VectorSampler | null;
  /**
   * With recordEnvironment: where the environment goes when the arrays hold none (allocated with
   * `recordEnvironment: false`): a large mission's file (env-records.ts).
   */
  envSink?: EnvRecordSink | null;
}

export interface StepContext {
  plan: RunPlan;
  arrays: SimArrays;
  wind: VectorSampler;
  current: VectorSampler;
  stokes: VectorSampler | null;
  land: LandSampler | null;
  coastlineAction: CoastlineAction;
  coastlinePrecisionDeg: number | null;
  recordEnvironment: boolean;
  /** The environment's records outside the arrays (StepOptions.envSink); null: in out.env, or not recorded. */
  envSink: EnvRecordSink | null;
  /** Jibe probability per step (float32, OpenDrift: 1 − exp(ln(1 − p_hour)/3600 · |dt|)). */
  jibePerStep: number;
  capsizing: { thresholdMps: number; sigmaMps: number; leewayFraction: number } | null;
  /** Standard deviations (m/s) of the per-step forcing perturbations; 0 = off. */
  windSigmaMps: number;
  currentSigmaMps: number;
  /**
   * rng "opendrift": only active particles draw (OpenDrift draws `num_elements_active` uniforms, so one
   * stranding shifts every later draw). rng "fast": every particle of the range draws each step, active or
   * not, so a particle's jibes depend on its block's stream and its own index only, never on what
   * happens to the other particles.
   */
  drawForEveryParticle: boolean;
  /** Scratch for coastline look-ups. */
  point: Float64Array;
  /** Ensemble forcing (some field has members > 1): which member each particle reads; null otherwise. */
  ensemble: EnsembleOrder | null;
  /**
   * Random-walk speed scale sqrt(2·D/|dt|) (m/s, float32 as OpenDrift computes it from its float32
   * environment) for the horizontal diffusivity D; 0 = no random walk.
   */
  walkSpeedMps: number;
  /** rng "opendrift": the east draws of the random walk, kept until all north draws are made (empty for rng "fast"). */
  walkEast: Float64Array | null;
}

/** OpenDrift's float32 jibe probability per step for `jibe_probability` per hour. */
export function jibeProbabilityPerStep(perHour: number, absDtSec: number): number {
  const rate = f32(-f32(Math.log(f32(1 - f32(perHour)))) / 3600);
  return f32(1 - f32(Math.exp(f32(-rate * absDtSec))));
}

export function createStepContext(model: ModelParams, plan: RunPlan, arrays: SimArrays, opts: StepOptions): StepContext {
  const cap = model.capsizing;
  return {
    plan,
    arrays,
    wind: opts.wind,
    current: opts.current,
    stokes: opts.stokes ?? null,
    land: model.coastlineAction === 'none' ? null : opts.land,
    coastlineAction: model.coastlineAction,
    coastlinePrecisionDeg:
      model.coastlineApproximationPrecisionDeg === undefined ? DEFAULT_COASTLINE_PRECISION_DEG : model.coastlineApproximationPrecisionDeg,
    recordEnvironment: opts.recordEnvironment && arrays.out.env !== undefined,
    envSink: opts.recordEnvironment && arrays.out.env === undefined ? (opts.envSink ?? null) : null,
    jibePerStep: jibeProbabilityPerStep(model.jibeProbabilityPerHour, plan.absDtSec),
    capsizing: cap ? { thresholdMps: cap.windThresholdMps, sigmaMps: cap.windThresholdSigmaMps, leewayFraction: cap.leewayFraction } : null,
    windSigmaMps: model.windUncertaintyMps ?? 0,
    currentSigmaMps: model.currentUncertaintyMps ?? 0,
    drawForEveryParticle: model.rng === 'fast',
    point: new Float64Array(2),
    // rng "fast" passes no order: an ensemble sampler then gives particle p member p mod M (a fixed split).
    ensemble: model.rng === 'opendrift' && [opts.wind, opts.current, opts.stokes].some((f) => (f?.members ?? 1) > 1)
      ? { rank: new Int32Array(arrays.n), skipUncovered: true }
      : null,
    // rng "opendrift" keeps the east draws of all particles until the north ones (8 B per particle, one
    // thread); rng "fast" draws each particle's pair together and needs no array.
    ...randomWalk(model.horizontalDiffusivityM2ps ?? 0, plan.absDtSec, model.rng === 'opendrift' ? arrays.n : 0),
  };
}

/** np.sqrt(2 * D / dt) with D a float32 environment value: float32 at each operation (numpy 1.24 casting). */
function randomWalk(diffusivityM2ps: number, absDtSec: number, nEast: number): { walkSpeedMps: number; walkEast: Float64Array | null } {
  if (!(diffusivityM2ps > 0)) return { walkSpeedMps: 0, walkEast: null };
  const d = f32(diffusivityM2ps);
  return { walkSpeedMps: f32(Math.sqrt(f32(f32(2 * d) / absDtSec))), walkEast: new Float64Array(nEast) };
}

/** Each particle's place in OpenDrift's element array at this step: its rank among the active particles, -1 if not active. */
function rankParticles(ctx: StepContext, order: EnsembleOrder, i0: number, i1: number): void {
  const rank = order.rank;
  const status = ctx.arrays.state.status;
  let r = 0;
  for (let p = i0; p < i1; p++) rank[p] = status[p] === ACTIVE ? r++ : -1;
}

/** Coastline action for particle p found on land (OpenDrift interact_with_coastline). */
function onLand(ctx: StepContext, p: number, justReleased: boolean): void {
  const st = ctx.arrays.state;
  if (ctx.coastlineAction === 'previous' && !justReleased) {
    // OpenDrift: the previous position, or with a precision the last lattice node before the first land
    // node (coastline_crossing with land_side=False); no land node found: the previous position.
    const pt = ctx.point;
    const precision = ctx.coastlinePrecisionDeg;
    const from = ends(st, p);
    if (from === null) return;
    const found = precision !== null && ctx.land !== null && coastlineCrossing(ctx.land, from.lon0, from.lat0, from.lon1, from.lat1, precision, pt, false);
    st.lonDeg[p] = found ? (pt[0] ?? NaN) : from.lon0;
    st.latDeg[p] = found ? (pt[1] ?? NaN) : from.lat0;
    syncTrig(st, p, p + 1);
    return;
  }
  // 'stranding', or released on land (OpenDrift deactivates those as "seeded_on_land"): stays put.
  st.status[p] = STATUS.STRANDED;
  const precision = ctx.coastlinePrecisionDeg;
  if (precision !== null && !justReleased && ctx.land !== null) {
    const pt = ctx.point;
    const from = ends(st, p);
    if (from !== null && coastlineCrossing(ctx.land, from.lon0, from.lat0, from.lon1, from.lat1, precision, pt)) {
      st.lonDeg[p] = pt[0] ?? NaN;
      st.latDeg[p] = pt[1] ?? NaN;
      syncTrig(st, p, p + 1);
    }
  }
}

/**
 * Particle p's previous and present position, for the coastline actions (a particle on land, not the
 * hot path); null past the end of the arrays. ctx.point has length 2, so its reads above are in range:
 * `?? NaN` there only satisfies the type (NaN is what a read past the end gave in arithmetic).
 */
function ends(st: SimArrays['state'], p: number): { lon0: number; lat0: number; lon1: number; lat1: number } | null {
  const lon0 = st.prevLonDeg[p];
  const lat0 = st.prevLatDeg[p];
  const lon1 = st.lonDeg[p];
  const lat1 = st.latDeg[p];
  return lon0 === undefined || lat0 === undefined || lon1 === undefined || lat1 === undefined ? null : { lon0, lat0, lon1, lat1 };
}

/**
 * OpenDrift get_environment (basemodel/environment.py): `env[x] += normal(0, sigma, num_elements_active)`,
 * then the same for y, on the float32 environment: one draw per active particle in array order per
 * component (rng "fast": per particle of the range, active or not, as the jibe draws).
 */
function perturb(ctx: StepContext, i0: number, i1: number, sigma: number, values: Float32Array, rng: RandomSource): void {
  const status = ctx.arrays.state.status;
  const drawAll = ctx.drawForEveryParticle;
  for (let p = i0; p < i1; p++) {
    if (status[p] !== ACTIVE) {
      if (drawAll) rng.gauss();
      continue;
    }
    // ?? NaN: p < i1 <= n keeps the read in range; NaN is what a read past the end gave in this sum.
    values[p] = f32((values[p] ?? NaN) + sigma * rng.gauss());
  }
}

/** Release, forcing (with its uncertainty draws), coastline and missing-forcing checks at the start of step k. */
export function beginStep(ctx: StepContext, i0: number, i1: number, k: number, rng: RandomSource): void {
  const st = ctx.arrays.state;
  const status = st.status;
  const releaseStep = st.releaseStep;
  const land = ctx.land;
  for (let p = i0; p < i1; p++) {
    if (status[p] === NOT_RELEASED && releaseStep[p] === k) {
      status[p] = ACTIVE;
      const lon = st.lonDeg[p];
      const lat = st.latDeg[p];
      if (land !== null && lon !== undefined && lat !== undefined) {
        st.prevLonDeg[p] = lon;
        st.prevLatDeg[p] = lat;
      }
    }
  }
  const t = stepTimeSec(ctx.plan, k);
  const sc = ctx.arrays.scratch;
  const order = ctx.ensemble;
  if (order !== null) rankParticles(ctx, order, i0, i1);
  ctx.wind.sample(st.lonDeg, st.latDeg, i0, i1, t, sc.windUMps, sc.windVMps, order);
  ctx.current.sample(st.lonDeg, st.latDeg, i0, i1, t, sc.currentUMps, sc.currentVMps, order);
  ctx.stokes?.sample(st.lonDeg, st.latDeg, i0, i1, t, sc.stokesUMps, sc.stokesVMps, order);
  // OpenDrift's order: current x, current y, then wind x, wind y.
  if (ctx.currentSigmaMps > 0) {
    perturb(ctx, i0, i1, ctx.currentSigmaMps, sc.currentUMps, rng);
    perturb(ctx, i0, i1, ctx.currentSigmaMps, sc.currentVMps, rng);
  }
  if (ctx.windSigmaMps > 0) {
    perturb(ctx, i0, i1, ctx.windSigmaMps, sc.windUMps, rng);
    perturb(ctx, i0, i1, ctx.windSigmaMps, sc.windVMps, rng);
  }
  if (land !== null) {
    const lon = st.lonDeg;
    const lat = st.latDeg;
    for (let p = i0; p < i1; p++) {
      if (status[p] !== ACTIVE) continue;
      const lo = lon[p];
      const la = lat[p];
      if (lo !== undefined && la !== undefined && land.isLand(lo, la)) onLand(ctx, p, releaseStep[p] === k);
    }
  }
  const wu = sc.windUMps;
  const wv = sc.windVMps;
  const cu = sc.currentUMps;
  const cv = sc.currentVMps;
  for (let p = i0; p < i1; p++) {
    // NaN + anything is NaN: one test per particle. ?? NaN: p < i1 <= n keeps the reads in range (a read
    // past the end gave undefined, NaN in this sum).
    if (status[p] === ACTIVE && Number.isNaN((wu[p] ?? NaN) + (wv[p] ?? NaN) + (cu[p] ?? NaN) + (cv[p] ?? NaN))) status[p] = STATUS.OUTSIDE;
  }
}

/** Writes record r for [i0, i1): positions, status, orientation, capsized (and the environment sampled at t). */
export function writeRecord(ctx: StepContext, i0: number, i1: number, r: number): void {
  const st = ctx.arrays.state;
  const out = ctx.arrays.out;
  const nTimes = ctx.arrays.nTimes;
  const env = ctx.recordEnvironment ? out.env : undefined;
  const sc = ctx.arrays.scratch;
  // ?? NaN and ?? 0 below: p < i1 <= n keeps every read in range; the fallbacks are what a read past the
  // end (undefined) stored into these arrays before (NaN in a Float array, 0 in an integer one).
  for (let p = i0; p < i1; p++) {
    const q = p * nTimes + r;
    const s = st.status[p] ?? 0;
    out.status[q] = s;
    out.orientation[q] = st.orientation[p] ?? 0;
    out.capsized[q] = st.capsized[p] ?? 0;
    if (s === NOT_RELEASED) {
      out.lonDeg[q] = NaN;
      out.latDeg[q] = NaN;
      if (env) {
        env.windUMps[q] = NaN;
        env.windVMps[q] = NaN;
        env.currentUMps[q] = NaN;
        env.currentVMps[q] = NaN;
      }
    } else {
      out.lonDeg[q] = st.lonDeg[p] ?? NaN;
      out.latDeg[q] = st.latDeg[p] ?? NaN;
      if (env) {
        env.windUMps[q] = sc.windUMps[p] ?? NaN;
        env.windVMps[q] = sc.windVMps[p] ?? NaN;
        env.currentUMps[q] = sc.currentUMps[p] ?? NaN;
        env.currentVMps[q] = sc.currentVMps[p] ?? NaN;
      }
    }
  }
  if (ctx.envSink !== null) spillRecord(ctx, ctx.envSink, i0, i1, r);
}

/** writeRecord's environment for a sink: the same values as out.env gets (NaN before release), one run per component. */
function spillRecord(ctx: StepContext, sink: EnvRecordSink, i0: number, i1: number, r: number): void {
  const status = ctx.arrays.state.status;
  const sc = ctx.arrays.scratch;
  const count = i1 - i0;
  const buf = sink.scratch(count);
  // ?? NaN and ?? 0: p < i1 <= n keeps the reads in range, as in writeRecord.
  for (let p = i0; p < i1; p++) {
    const j = p - i0;
    const released = (status[p] ?? 0) !== NOT_RELEASED;
    buf[j] = released ? (sc.windUMps[p] ?? NaN) : NaN;
    buf[count + j] = released ? (sc.windVMps[p] ?? NaN) : NaN;
    buf[2 * count + j] = released ? (sc.currentUMps[p] ?? NaN) : NaN;
    buf[3 * count + j] = released ? (sc.currentVMps[p] ?? NaN) : NaN;
  }
  sink.put(r, i0, i1);
}

/** Capsizing draws for the candidates of [i0, i1), in array order, before the move (leeway.py update). */
function capsize(ctx: StepContext, i0: number, i1: number, rng: RandomSource): void {
  const cap = ctx.capsizing;
  if (cap === null) return; // called only when capsizing is on
  const st = ctx.arrays.state;
  const sc = ctx.arrays.scratch;
  // Forward runs can capsize upright objects; backward runs can only right capsized ones.
  const candidate = ctx.plan.direction > 0 ? 0 : 1;
  const thr = f32(cap.thresholdMps);
  const sigma = f32(cap.sigmaMps);
  const drawAll = ctx.drawForEveryParticle;
  for (let p = i0; p < i1; p++) {
    if (st.status[p] !== ACTIVE || st.capsized[p] !== candidate) {
      if (drawAll) rng.random();
      continue;
    }
    // ?? NaN: p < i1 <= n keeps the reads in range; NaN is what a read past the end gave here.
    const u = sc.windUMps[p] ?? NaN;
    const v = sc.windVMps[p] ?? NaN;
    const w = f32(Math.sqrt(f32(f32(u * u) + f32(v * v))));
    const pHour = f32(0.5 + f32(0.5 * f32(Math.tanh(f32(f32(w - thr) / sigma)))));
    const pStep = f32(f32(pHour * ctx.plan.absDtSec) / 3600);
    if (rng.random() < pStep) st.capsized[p] = 1 - candidate;
  }
}

/**
 * Moves the active particles of [i0, i1) through step k and draws their jibes. Returns the number of
 * particles moved (particle-steps).
 */
export function advanceStep(ctx: StepContext, i0: number, i1: number, rng: RandomSource): number {
  const st = ctx.arrays.state;
  const c = ctx.arrays.coefficients;
  const sc = ctx.arrays.scratch;
  const status = st.status;
  const lon = st.lonDeg;
  const lat = st.latDeg;
  if (ctx.land !== null) {
    const prevLon = st.prevLonDeg;
    const prevLat = st.prevLatDeg;
    // ?? NaN: p < i1 <= n keeps the reads in range; NaN is what a read past the end stored before.
    for (let p = i0; p < i1; p++) {
      prevLon[p] = lon[p] ?? NaN;
      prevLat[p] = lat[p] ?? NaN;
    }
  }
  if (ctx.capsizing !== null) capsize(ctx, i0, i1, rng);

  const dt = ctx.plan.dtSec;
  const jp = ctx.jibePerStep;
  const capsized = st.capsized;
  const capFraction = ctx.capsizing === null ? 1 : f32(ctx.capsizing.leewayFraction);
  const orientation = st.orientation;
  const orientation0 = c.orientation;
  const dwSlope = c.dwSlopePct;
  const dwOffset = c.dwOffsetCmps;
  const dwEps = c.dwEpsCmps;
  const cwSlope0 = c.cwSlopePct;
  const cwOffset = c.cwOffsetCmps;
  const cwEps = c.cwEpsCmps;
  const wu = sc.windUMps;
  const wv = sc.windVMps;
  const cu = sc.currentUMps;
  const cv = sc.currentVMps;
  const drawAll = ctx.drawForEveryParticle;
  const moves = TWO_MOVES;
  let moved = 0;
  for (let p = i0; p < i1; p++) {
    if (status[p] !== ACTIVE) {
      if (drawAll) rng.random();
      continue;
    }
    moved++;
    // The hottest loop. ?? NaN on each typed-array read: p < i1 <= n keeps them in range, NaN is what a
    // read past the end gave in this arithmetic, and V8 drops the check on an in-range read
    // (bench/model.bench.mjs measured before and after: no change).
    const u = wu[p] ?? NaN;
    const v = wv[p] ?? NaN;
    const w = f32(Math.sqrt(f32(f32(u * u) + f32(v * v))));
    // sin and cos of the direction the wind blows towards (clockwise from north). OpenDrift takes them
    // through float32 atan2/sin/cos; u/W and v/W are the same numbers without the float32 rounding of
    // the angle. Calm: OpenDrift's atan2(0, 0) = 0, i.e. "downwind" is north.
    let sinTh: number;
    let cosTh: number;
    if (w === 0) {
      const th = Math.atan2(u, v);
      sinTh = Math.sin(th);
      cosTh = Math.cos(th);
    } else {
      sinTh = u / w;
      cosTh = v / w;
    }
    const de = dwEps[p] ?? NaN;
    const dw = f32(f32(f32(f32(f32((dwSlope[p] ?? NaN) + f32(de / 20)) * w) + (dwOffset[p] ?? NaN)) + f32(de / 2)) * F32_001);
    // A jibe flips the crosswind slope's sign together with the orientation (offset and eps stay).
    const cwSlopeP = cwSlope0[p] ?? NaN;
    const cwSlope = orientation[p] === orientation0[p] ? cwSlopeP : -cwSlopeP;
    const ce = cwEps[p] ?? NaN;
    const cw = f32(f32(f32(f32(f32(cwSlope + f32(ce / 20)) * w) + (cwOffset[p] ?? NaN)) + f32(ce / 2)) * F32_001);
    // leeway.py: y = DW cos + CW sin, x = −DW sin + CW cos, moved by (−x, y): CW > 0 is LEFT of downwind.
    let yLee = f32(f32(dw * cosTh) + f32(cw * sinTh));
    let xLee = f32(-f32(dw * sinTh) + f32(cw * cosTh));
    if (capsized[p] === 1) {
      xLee = f32(xLee * capFraction);
      yLee = f32(yLee * capFraction);
    }
    // OpenDrift update_positions, twice: geod.fwd along azimuth atan2(u, v) for hypot(u, v)·dt, i.e. the
    // displacement (u·dt east, v·dt north); leeway first, then current from where the leeway left it.
    moves.east1M = -xLee * dt;
    moves.north1M = yLee * dt;
    moves.east2M = (cu[p] ?? NaN) * dt;
    moves.north2M = (cv[p] ?? NaN) * dt;
    moveParticleTwice(st, p);
    if (rng.random() < jp) orientation[p] = orientation[p] === 1 ? 0 : 1; // 0 or 1 (seedRange): 1 − orientation
  }
  if (ctx.stokes !== null) stokesMove(ctx, i0, i1);
  if (ctx.walkEast !== null) randomWalkMove(ctx, i0, i1, rng);
  return moved;
}

/**
 * OpenDrift's basemodel horizontal_diffusion(), which runs after update() for models that list
 * horizontal_diffusivity (Leeway does not; driftline offers it as an extension): east speeds
 * sqrt(2D/|dt|)·normal() for every active particle, then north speeds likewise, then one move each by
 * (east, north)·dt. rng "fast" draws for every particle of the range, as the other per-step draws.
 */
function randomWalkMove(ctx: StepContext, i0: number, i1: number, rng: RandomSource): void {
  const st = ctx.arrays.state;
  const status = st.status;
  const k = ctx.walkSpeedMps;
  const dt = ctx.plan.dtSec;
  if (ctx.drawForEveryParticle) {
    // rng "fast": an east and a north draw per particle of the range, active or not, in that order.
    for (let p = i0; p < i1; p++) {
      const eastMps = k * rng.gauss();
      const northMps = k * rng.gauss();
      if (status[p] === ACTIVE) moveParticleOnce(st, p, eastMps * dt, northMps * dt);
    }
    return;
  }
  const east = ctx.walkEast;
  if (east === null) throw new Error('random walk: no east-component scratch (walkEast) in the step context');
  for (let p = i0; p < i1; p++) if (status[p] === ACTIVE) east[p] = k * rng.gauss();
  for (let p = i0; p < i1; p++) {
    // ?? NaN: p < i1 <= n keeps the read in range; NaN is what a read past the end gave here.
    if (status[p] === ACTIVE) moveParticleOnce(st, p, (east[p] ?? NaN) * dt, k * rng.gauss() * dt);
  }
}

/**
 * OpenDrift's stokes_drift() (physics_methods.py), called last in Leeway.update(): at the surface the
 * profile factor is 1, so each active particle moves once more by the float32 Stokes vector × dt. It
 * is skipped when the largest stokes_x + stokes_y over the active particles is 0 (OpenDrift's test;
 * here over the range a thread runs, which is the whole run for rng "opendrift").
 */
function stokesMove(ctx: StepContext, i0: number, i1: number): void {
  const st = ctx.arrays.state;
  const su = ctx.arrays.scratch.stokesUMps;
  const sv = ctx.arrays.scratch.stokesVMps;
  // Outside the wave field the sample is NaN: OpenDrift's fallback for the Stokes drift is 0.
  for (let p = i0; p < i1; p++) {
    if (su[p] !== su[p] || sv[p] !== sv[p]) su[p] = sv[p] = 0;
  }
  // ?? NaN: p < i1 <= n keeps the reads in range; NaN is what a read past the end gave here.
  let max = -Infinity;
  for (let p = i0; p < i1; p++) if (st.status[p] === ACTIVE) max = Math.max(max, f32((su[p] ?? NaN) + (sv[p] ?? NaN)));
  if (max === 0 || max === -Infinity) return;
  const dt = ctx.plan.dtSec;
  for (let p = i0; p < i1; p++) {
    if (st.status[p] === ACTIVE) moveParticleOnce(st, p, (su[p] ?? NaN) * dt, (sv[p] ?? NaN) * dt);
  }
}

/** After the last step: coastline action at the final positions (OpenDrift final=True), then the last record. */
export function finishRun(ctx: StepContext, i0: number, i1: number): void {
  const land = ctx.land;
  if (land !== null) {
    const st = ctx.arrays.state;
    for (let p = i0; p < i1; p++) {
      if (st.status[p] !== ACTIVE) continue;
      const lon = st.lonDeg[p];
      const lat = st.latDeg[p];
      if (lon !== undefined && lat !== undefined && land.isLand(lon, lat)) onLand(ctx, p, false);
    }
  }
  writeRecord(ctx, i0, i1, ctx.arrays.nTimes - 1);
}
