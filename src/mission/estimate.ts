/**
 * What a mission will cost, from its validated params alone (pure: no I/O, no clock), so that a worker
 * can refuse or defer it before allocating anything. Admission control sums `memoryBytes` of running
 * missions against the worker's budget.
 *
 * Memory model (bytes), from src/model/state.ts allocateSimArrays and measured peaks:
 *  - per particle: state 59 (43 + 16 previous position with land), coefficients 50, forcing scratch 16;
 *  - per output record (particle × output time): 10 (lon, lat f32, status, orientation) + 16 (wind and
 *    current f32, recorded for the trajectory file) = 26 in SharedArrayBuffers, plus what the product
 *    writers allocate per record (netCDF row buffers, search-area scratch) — measured ~27.6 B in all
 *    (issue 11: 1 000 000 × 49 records). Above ENV_FILE_MIN_BYTES the 16 B of environment go to a file
 *    in the work directory (disk: `envFileBytes`), not memory. `driftline run`, 1 000 000 × 48 h,
 *    constant forcing, no animation, max RSS of 2 runs, 2026-12-04 (load 2.0-2.4): 1 798-1 815 MB with
 *    the environment in memory, 1 040-1 070 MB with it in the file (1.05 GB with none recorded);
 *  - per output time: density grid slice, search-area contours, animation frame state: a 1-particle ×
 *    9 001-time run peaked at 509-522 MB RSS, about 25 KB per time above a ~300 MB bare process;
 *  - fixed: Node, the simulation and mission threads, canvas, ffmpeg's pipe and the coastline: 500 MB,
 *    so that measured peaks (bench/eventloop.bench.mjs, max RSS) are covered: 100 000 × 49 records
 *    608-633 MB (estimate 642), 1 000 × 4 321 650 MB (749), 1 000 000 × 49 1 610-1 623 MB (1 910);
 *    with the environment in a file (`driftline run`, no animation): 1 000 000 × 49 1 040-1 070 MB
 *    (estimate 1 163 MiB, was 1 910), 100 000 × 49 340-343 MB (568, was 642);
 *  - gridded forcing: not in `estimateMission`, which sees only the job, while an ensemble file's member
 *    count is in the file; `checkForcingMemory` adds the loaded planes (forcingMemory) once it is read.
 */
import { DriftlineError } from '../errors.js';
import type { ModelParams } from '../model/types.js';

/** Bytes per particle held for the whole run (state + coefficients + forcing scratch; see state.ts). */
export const PER_PARTICLE_BYTES = 125;
/** Bytes per output record (particle × output time), simulation arrays and product writing together. */
export const PER_RECORD_BYTES = 27.6;
/**
 * Of those, the recorded wind and current (4 float32); none with `products.record_environment: false`,
 * nor above ENV_FILE_MIN_BYTES, where they cost disk instead (MissionEstimate.envFileBytes).
 */
export const PER_RECORD_ENV_BYTES = 16;
/** Bytes per output time independent of particles (measured ~25 KB, rounded up). */
export const PER_OUTPUT_TIME_BYTES = 32 * 1024;
/** Process baseline a mission adds to, bytes (see the header for the measured peaks it covers). */
export const FIXED_BYTES = 500 * 1024 * 1024;

/**
 * Output times above this are refused whatever the particle count: each time costs a density-grid
 * slice, contouring for every search-area level and an animation frame, so a 1-particle run at 1 s
 * output over 300 h (1 080 001 times) blocked product writing for 31-43 s and grew past 4.5 GB.
 * 10 000 allows 720 h at 5-minute output (8 641 times).
 */
export const MAX_OUTPUT_TIMES = 10_000;
/**
 * Particle-steps above this are refused: 1e10 is MAX_PARTICLES' default (2 000 000) × 720 h at the
 * default 600 s step (8.64e9) with room; at ~15 M particle-steps/s on 2 threads it is ~11 minutes.
 */
export const MAX_PARTICLE_STEPS = 1e10;
/** Simulation speed assumed for `simulationSeconds`: bench/model.bench.mjs target, 2 threads, gridded forcing. */
export const PARTICLE_STEPS_PER_SECOND = 15e6;

export interface MissionEstimate {
  /** Particles (params.num_particles). */
  particles: number;
  /** Output times per particle: duration / output step (rounded up) + 1, as src/model/plan.ts. */
  outputTimes: number;
  /** Calculation steps per particle. */
  timeSteps: number;
  /** particles × outputTimes: records held in memory and written to raw/particles.nc. */
  outputRecords: number;
  /** particles × timeSteps. */
  particleSteps: number;
  /** Estimated peak resident memory of the mission, bytes, including FIXED_BYTES. */
  memoryBytes: number;
  /** Disk the environment record file takes in the work directory while the mission runs, bytes (0: in memory or not recorded). */
  envFileBytes: number;
  /** Estimated simulation wall time, seconds, at PARTICLE_STEPS_PER_SECOND (products not included). */
  simulationSeconds: number;
}

/** The job fields the estimate reads (a validated job's params have them; job.ts calls this while validating). */
interface SizeParams {
  num_particles: number;
  duration_hours: number;
  time_step_seconds: number;
  output_step_seconds: number;
  products?: { record_environment?: boolean };
}

/**
 * Recorded environment (records × PER_RECORD_ENV_BYTES) above which it goes to a file in the mission's
 * work directory instead of memory (src/model/env-records.ts): 128 MiB, 8.4 M records (171 000 particles
 * × 49 output times). At 64 MiB a 100 000 × 49 mission went to the file and took 0.1-0.3 s (2-5 %)
 * longer end to end for 72 MB less peak (415 -> 342 MB, `driftline run`, 4 alternating runs): at that
 * size the time is worth more than the memory. Every mission run on the calling thread
 * (INLINE_MAX_RECORDS, 60 000 records: 0.9 MiB) stays far below it. Above it the file saves 16 B per
 * record (0.78 GB at 1 000 000 × 49: peak 1.80-1.82 -> 1.04-1.07 GB) for ~50 000 16 KiB writes and a
 * second read of it while the products are written.
 */
export const ENV_FILE_MIN_BYTES = 128 * 2 ** 20;

/** Whether a mission recording its environment over `records` records keeps it in a file (`minBytes`: tests force either way). */
export function environmentToFile(records: number, minBytes: number = ENV_FILE_MIN_BYTES): boolean {
  return records * PER_RECORD_ENV_BYTES > minBytes;
}

/** Bytes a record holds in memory for this mission (the environment only when it is recorded, and not to a file). */
const recordBytes = (params: SizeParams, records: number) =>
  PER_RECORD_BYTES - (params.products?.record_environment === false || environmentToFile(records) ? PER_RECORD_ENV_BYTES : 0);

/** A resolved mission's size in the job's terms (the estimate is written, and its errors named, in them). */
export function sizeOfModel(model: Pick<ModelParams, 'numParticles' | 'durationSec' | 'timeStepSec' | 'outputStepSec'>, recordEnvironment = true): SizeParams {
  return {
    num_particles: model.numParticles,
    duration_hours: model.durationSec / 3600,
    time_step_seconds: model.timeStepSec,
    output_step_seconds: model.outputStepSec,
    products: { record_environment: recordEnvironment },
  };
}

/**
 * Units: counts are plain counts, `memoryBytes` is bytes, `simulationSeconds` seconds. Same rounding
 * as planRun (duration rounded up to whole output steps), so `outputTimes` is what the run records.
 */
export function estimateMission(params: SizeParams): MissionEstimate {
  const particles = params.num_particles;
  const durationSec = Math.round(params.duration_hours * 3600);
  const absDtSec = Math.abs(params.time_step_seconds);
  const outputSteps = Math.max(1, Math.ceil(durationSec / params.output_step_seconds - 1e-9));
  const outputTimes = outputSteps + 1;
  const timeSteps = outputSteps * Math.max(1, Math.round(params.output_step_seconds / absDtSec));
  const outputRecords = particles * outputTimes;
  const particleSteps = particles * timeSteps;
  const memoryBytes = Math.ceil(FIXED_BYTES + particles * PER_PARTICLE_BYTES + outputRecords * recordBytes(params, outputRecords) + outputTimes * PER_OUTPUT_TIME_BYTES);
  const envFileBytes = params.products?.record_environment !== false && environmentToFile(outputRecords) ? outputRecords * PER_RECORD_ENV_BYTES : 0;
  return { particles, outputTimes, timeSteps, outputRecords, particleSteps, memoryBytes, envFileBytes, simulationSeconds: particleSteps / PARTICLE_STEPS_PER_SECOND };
}

const MB = 1024 * 1024;

/**
 * Refuse a mission that could not finish: too many output times, too many particle-steps, or more
 * memory than `maxMissionMb` (MAX_MISSION_MB; undefined: no memory check). E_MISSION_TOO_LARGE names
 * the fields that drive the cost and says what would fit.
 */
export function checkMissionSize(params: SizeParams, maxMissionMb: number | undefined): MissionEstimate {
  const e = estimateMission(params);
  if (e.outputTimes > MAX_OUTPUT_TIMES) {
    throw new DriftlineError(
      'E_MISSION_TOO_LARGE',
      `params.output_step_seconds: ${params.duration_hours} h at ${params.output_step_seconds} s output makes ${e.outputTimes} output times; at most ${MAX_OUTPUT_TIMES} (use output_step_seconds >= ${minOutputStep(params)})`,
      { field: 'params.output_step_seconds' },
    );
  }
  if (e.particleSteps > MAX_PARTICLE_STEPS) {
    throw new DriftlineError(
      'E_MISSION_TOO_LARGE',
      `params.num_particles: ${params.num_particles} particles × ${e.timeSteps} steps (duration_hours ${params.duration_hours}, time_step_seconds ${params.time_step_seconds}) is ${e.particleSteps.toExponential(2)} particle-steps; at most ${MAX_PARTICLE_STEPS.toExponential(0)}`,
      { field: 'params.num_particles' },
    );
  }
  if (maxMissionMb !== undefined && e.memoryBytes > maxMissionMb * MB) {
    const budget = maxMissionMb * MB - FIXED_BYTES - e.outputTimes * PER_OUTPUT_TIME_BYTES;
    const fitAt = (records: number) => Math.max(0, Math.floor(budget / (PER_PARTICLE_BYTES + e.outputTimes * recordBytes(params, records))));
    // As many as fit with the environment in a file, unless that few keep it in memory (records 0: in memory).
    const spilled = fitAt(Infinity);
    const fitParticles = environmentToFile(spilled * e.outputTimes) ? spilled : fitAt(0);
    throw new DriftlineError(
      'E_MISSION_TOO_LARGE',
      `params.num_particles: ${params.num_particles} particles × ${e.outputTimes} output times (duration_hours ${params.duration_hours}, output_step_seconds ${params.output_step_seconds}) needs about ${Math.ceil(e.memoryBytes / MB)} MB; MAX_MISSION_MB is ${maxMissionMb} (at most ${fitParticles} particles fit, or use fewer output times)`,
      { field: 'params.num_particles' },
    );
  }
  return e;
}

function minOutputStep(params: SizeParams): number {
  const absDt = Math.abs(params.time_step_seconds);
  const min = (params.duration_hours * 3600) / (MAX_OUTPUT_TIMES - 1);
  return Math.ceil(min / absDt) * absDt;
}

/**
 * A loaded forcing field as far as memory goes (structurally src/forcing/types GridField / LandRaster, so
 * that this module stays free of forcing imports: job.ts calls it while validating).
 */
interface LoadedField {
  kind: string;
  grid?: {
    uMps: Float32Array;
    vMps: Float32Array;
    members?: number;
    lookup?: { fx: Float32Array; fy: Float32Array; cosAlpha: Float32Array; sinAlpha: Float32Array; curvature: Float32Array };
  };
}
export interface LoadedForcing {
  wind: LoadedField;
  current: LoadedField;
  stokes?: LoadedField;
  land: { data: { byteLength: number } } | null;
}

/**
 * Read buffers of one member's records while a field loads, bytes per float32 plane value held: the
 * float64 array of one read (8) plus the file's raw bytes (up to 4 for float data), for one component
 * at a time (src/forcing/read.ts), so 12 / 4 = 3× one member's float32 planes of one component.
 */
export const READ_BUFFER_FACTOR = 3;

export interface ForcingMemory {
  /** Bytes the loaded forcing holds for the whole run, plus the largest read buffer while loading. */
  bytes: number;
  /** Largest ensemble member count over the fields (1: no ensemble). */
  members: number;
  /** Per field: bytes of its planes (all records and members, u and v) and its member count. */
  fields: Array<{ name: string; planeBytes: number; members: number }>;
}

/**
 * What the forcing adds to a mission's memory, from the loaded fields: every record of every ensemble
 * member of u and v is a float32 plane held in memory for the whole run, so an M-member file holds M
 * times the planes of the same file with one member. estimateMission cannot know this (the member count
 * is in the file, not the job), so the pipeline adds it once the forcing is loaded (checkForcingMemory).
 * Measured (`driftline run`, 1 000 particles × 24 h, current 500 × 500 cells × 25 records, NetCDF-3,
 * max RSS of 2 runs): 1 member 341-346 MB, 10 members 775-779 MB; planes 50 and 500 MB, so the
 * difference (433 MB) is the 450 MB of planes the extra members add.
 */
export function forcingMemory(forcing: LoadedForcing): ForcingMemory {
  const fields: ForcingMemory['fields'] = [];
  let bytes = 0;
  let readBuffer = 0;
  for (const [name, f] of [['wind', forcing.wind], ['current', forcing.current], ['stokes', forcing.stokes]] as const) {
    const g = f?.grid;
    if (f === undefined || f.kind !== 'grid' || g === undefined) continue;
    const members = g.members ?? 1;
    const planeBytes = g.uMps.byteLength + g.vMps.byteLength;
    const L = g.lookup;
    const latticeBytes = L ? L.fx.byteLength + L.fy.byteLength + L.cosAlpha.byteLength + L.sinAlpha.byteLength + L.curvature.byteLength : 0;
    bytes += planeBytes + latticeBytes;
    readBuffer = Math.max(readBuffer, (READ_BUFFER_FACTOR * g.uMps.byteLength) / members);
    fields.push({ name, planeBytes, members });
  }
  bytes += readBuffer + (forcing.land ? forcing.land.data.byteLength : 0);
  return { bytes: Math.ceil(bytes), members: Math.max(1, ...fields.map((f) => f.members)), fields };
}

/**
 * The mission's estimate with its loaded forcing counted: `memoryBytes` grows by the forcing's bytes.
 * With `maxMissionMb` (MAX_MISSION_MB) set, a mission whose forcing makes it larger fails with
 * E_MISSION_TOO_LARGE naming the field with the most planes (an ensemble file, typically) and its members.
 */
export function checkForcingMemory(params: SizeParams, forcing: LoadedForcing, maxMissionMb: number | undefined): MissionEstimate & { forcing: ForcingMemory } {
  const e = estimateMission(params);
  const fm = forcingMemory(forcing);
  const total: MissionEstimate & { forcing: ForcingMemory } = { ...e, memoryBytes: e.memoryBytes + fm.bytes, forcing: fm };
  if (maxMissionMb !== undefined && total.memoryBytes > maxMissionMb * MB) {
    const big = fm.fields.reduce((a, b) => (b.planeBytes > a.planeBytes ? b : a), fm.fields[0] ?? { name: 'current', planeBytes: 0, members: 1 });
    const ensemble = big.members > 1 ? ` (${big.members} ensemble members: ${Math.ceil(big.planeBytes / big.members / MB)} MB each)` : '';
    throw new DriftlineError(
      'E_MISSION_TOO_LARGE',
      `params.forcing.${big.name}.uri: the forcing over the mission's window and duration holds ${Math.ceil(big.planeBytes / MB)} MB of ${big.name} planes${ensemble}; with the rest of the forcing (${Math.ceil((fm.bytes - big.planeBytes) / MB)} MB) and the mission itself (${Math.ceil(e.memoryBytes / MB)} MB) the estimate is ${Math.ceil(total.memoryBytes / MB)} MB; MAX_MISSION_MB is ${maxMissionMb} (use a file with fewer members, a smaller area or a shorter duration)`,
      { field: `params.forcing.${big.name}.uri` },
    );
  }
  return total;
}
