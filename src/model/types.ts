/**
 * Contracts of the numeric core. Everything here is plain data or typed arrays so that it can cross
 * a worker_threads boundary by structured clone (SharedArrayBuffer-backed arrays are shared, not copied).
 *
 * Conventions: lon/lat in degrees (lon in [-180, 180)), velocities in m/s towards east/north, times in
 * seconds since 1970-01-01T00:00:00Z (`...Sec`), arrays indexed particle-major `p * nTimes + t` for
 * per-record data (OpenDrift's trajectory × time layout).
 */
import type { LeewayCategory } from './objects.js';

export type { LeewayCategory };

/** Particle status codes, as stored in the trajectory file's `status` variable. */
export const STATUS = {
  ACTIVE: 0,
  STRANDED: 1,
  /** Left the forcing's area (OpenDrift deactivates such particles as "missing_data"). */
  OUTSIDE: 2,
  /** Not yet released (release window / cone seeding); lon/lat are NaN in such records. */
  NOT_RELEASED: 255,
} as const;
export type StatusCode = (typeof STATUS)[keyof typeof STATUS];
export const STATUS_MEANINGS = 'active stranded outside_forcing';

/**
 * A vector field (wind or current) sampled at particle positions. Implementations are pure and cheap to
 * call once per step for a contiguous particle range; values written are float32 (as OpenDrift's
 * environment recarray). A particle whose position the field does not cover gets NaN in both outputs.
 */
export interface VectorSampler {
  sample(
    lonDeg: Float64Array,
    latDeg: Float64Array,
    i0: number,
    i1: number,
    timeSec: number,
    outUMps: Float32Array,
    outVMps: Float32Array,
    /** Ensemble forcing: which member each particle reads (ignored by single-member fields). */
    order?: EnsembleOrder | null,
  ): void;
  /** Ensemble members of the field (absent or 1: not an ensemble). */
  readonly members?: number;
}

/**
 * How the particles of a step are split over the members of an ensemble field, as OpenDrift's
 * structured reader does (`readers/interpolation/structured.py`): the element at position i of the
 * array handed to the reader reads member i mod M.
 *  - rng "opendrift": `rank[p]` is p's position among the active particles (OpenDrift's element array
 *    holds only active elements, in seeding order), -1 for the others; `skipUncovered` because OpenDrift
 *    hands a reader only the elements inside its area, so an element outside shifts the later ones.
 *  - rng "fast": no order is passed, and particle p reads member p mod M, a fixed split by particle index
 *    whatever happens to the others (samplers do this whenever they get no order).
 */
export interface EnsembleOrder {
  rank: Int32Array;
  skipUncovered: boolean;
}

/** Land look-up: true on land. Called per particle, only where coastline action is not 'none'. */
export interface LandSampler {
  isLand(lonDeg: number, latDeg: number): boolean;
}

export type CoastlineAction = 'stranding' | 'previous' | 'none';
export type RngKind = 'fast' | 'opendrift';

export interface CapsizingParams {
  windThresholdMps: number; // OpenDrift default 30
  windThresholdSigmaMps: number; // OpenDrift default 5
  leewayFraction: number; // OpenDrift default 0.4
}

export interface SeedingParams {
  lonDeg: number;
  latDeg: number;
  radiusM: number;
  radiusType: 'gaussian' | 'uniform';
  /** Cone seeding: particles on the geodesic from (lon,lat) to (endLon,endLat), OpenDrift's seed_cone. */
  endLonDeg?: number;
  endLatDeg?: number;
  /** Radius at the end of a cone, spread linearly over particles (np.linspace(radius, endRadius, N)). */
  endRadiusM?: number;
  /** Release window end; particle k released at start + k*(end-start)/(N-1). */
  endTimeSec?: number;
}

/**
 * One weighted scenario (issue 8, `params.scenarios[k]`): its own object category and seeding, for
 * the contiguous particle range [first, first + count). Release times are absolute (seconds since
 * epoch), inside the run.
 */
export interface ScenarioModel {
  category: LeewayCategory;
  seeding: SeedingParams;
  /** First release of this scenario (the run's start unless the scenario gives its own start_time). */
  releaseStartSec: number;
  first: number;
  count: number;
  /** Normalised scenario weight (Σ over scenarios = 1); each of its particles carries weight / count. */
  weight: number;
}

/** Everything the model needs, in SI units; built from a validated job by src/mission. */
export interface ModelParams {
  category: LeewayCategory;
  numParticles: number;
  seed: number;
  rng: RngKind;
  /** First release time (seconds since epoch). */
  startTimeSec: number;
  /** Positive length of the simulation. */
  durationSec: number;
  /** Signed calculation step; negative runs backward in time. OpenDrift Leeway default 600. */
  timeStepSec: number;
  /** Positive output interval, an integer multiple of |timeStepSec|. OpenDrift Leeway default 3600. */
  outputStepSec: number;
  seeding: SeedingParams;
  /** Per hour; OpenDrift default 0.04. */
  jibeProbabilityPerHour: number;
  capsizing: CapsizingParams | null;
  coastlineAction: CoastlineAction;
  /**
   * Stranded particles are put on the first land point of a lattice this fine (degrees) between their
   * previous and landed positions; null keeps the landed position. OpenDrift default 0.001.
   */
  coastlineApproximationPrecisionDeg?: number | null;
  /**
   * OpenDrift `drift:wind_uncertainty` / `drift:current_uncertainty`: standard deviation (m/s) of a normal
   * perturbation added to each component of the wind / current an active particle sees, drawn anew every
   * step. Default 0 (off).
   */
  windUncertaintyMps?: number;
  currentUncertaintyMps?: number;
  /** OpenDrift `drift:stokes_drift`: move particles by the surface Stokes drift too (needs wave forcing). */
  stokesDrift?: boolean;
  /**
   * Weighted scenarios (issue 8): when present, they replace `category`/`seeding` for seeding, cover
   * [0, numParticles) in order, and `seeding` stays the job's reference (last known) position.
   */
  scenarios?: ScenarioModel[];
  /**
   * Horizontal diffusivity D (m²/s) of OpenDrift's basemodel random walk (`drift:horizontal_diffusivity`
   * before 1.14.9, `environment:constant:horizontal_diffusivity` since); not part of OpenDrift's Leeway,
   * an extension. Default 0 (off).
   */
  horizontalDiffusivityM2ps?: number;
  /** OpenDrift `seed:ocean_only`: particles seeded on land move to the nearest water (default true). */
  oceanOnly?: boolean;
}

/** Per-particle constants drawn at seeding (float32 as OpenDrift stores them). */
export interface ParticleCoefficients {
  dwSlopePct: Float32Array;
  dwOffsetCmps: Float32Array;
  dwEpsCmps: Float32Array;
  /** Crosswind slope at seeding (its sign flips on every jibe). */
  cwSlopePct: Float32Array;
  cwOffsetCmps: Float32Array;
  cwEpsCmps: Float32Array;
  /** 0 = OpenDrift "RIGHT" label (CWR coefficients), 1 = "LEFT" (CWL), at seeding. */
  orientation: Uint8Array;
  capsized: Uint8Array;
  releaseTimeSec: Float64Array;
  seedLonDeg: Float64Array;
  seedLatDeg: Float64Array;
}

/** The output of a run: records at every output step, `nTimes = duration/outputStep + 1`. */
export interface TrajectoryResult {
  nParticles: number;
  nTimes: number;
  /** Record times, seconds since epoch (descending for a backward run). */
  timesSec: Float64Array;
  /** p * nTimes + t; NaN where the particle is not released yet. */
  lonDeg: Float32Array;
  latDeg: Float32Array;
  status: Uint8Array;
  orientation: Uint8Array;
  /** Capsized flag (0/1) at each record; 0 before release. Changes only with capsizing enabled. */
  capsized: Uint8Array;
  /** Environment each particle saw at each record (optional: costs 16 bytes per record). */
  env?: {
    windUMps: Float32Array;
    windVMps: Float32Array;
    currentUMps: Float32Array;
    currentVMps: Float32Array;
  };
  /**
   * Instead of `env`, for large missions: the path of the file holding the same records (layout in
   * env-records.ts), in the mission's work directory; the pipeline deletes it once the products are written.
   */
  envFile?: string;
  coefficients: ParticleCoefficients;
  /** Particle-steps actually integrated (active particles × steps), for speed figures. */
  particleSteps: number;
}
