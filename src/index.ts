/**
 * driftline as a library: what a TypeScript program needs to validate a job, run a mission on this
 * machine, read forcing files, write NetCDF and plan a search. The fleet (worker, queue, API) is run
 * through the `driftline` CLI, not imported; its modules are not part of this surface.
 *
 *   import { validateJob, runLocalMission, closeMissionRunner } from 'driftline';
 *
 * Importing this module loads no AWS SDK, pg, ioredis or canvas: the mission pipeline is imported on
 * the first runLocalMission() call.
 */

// Jobs: the wire format, validated with every invalid field named (DriftlineError E_JOB_INVALID).
export { jobSchema, DEFAULT_LIMITS, type Job, type JobParams, type JobLimits } from './job/schema.js';
export { validateJob, parseJobText, resolveCategory } from './job/validate.js';
// A validated job -> the resolved mission the pipeline runs (model parameters, forcing request, products).
export { resolveMission, type ForcingDefaults } from './job/resolve.js';
export type { MissionSpec } from './mission/spec.js';
export { DriftlineError, type ErrorCode } from './errors.js';
export { loadConfig, type Config } from './config.js';
export { LEEWAY_CATEGORIES, findCategory, type LeewayCategory } from './model/objects.js';

// Running a mission locally (the worker's own pipeline, files in a directory).
export { runLocalMission } from './local.js';
export { runMissionLocally, closeMissionRunner, specNeedsS3, type LocalMissionOptions } from './mission/local.js';
export type { MissionDeps, MissionOutcome, MissionProgress } from './mission/types.js';
export type { ProductFile } from './products/types.js';

// The model's results and constants.
export { STATUS, STATUS_MEANINGS, type TrajectoryResult, type ModelParams, type StatusCode } from './model/types.js';

// Reading forcing: NetCDF-3 (our reader) and NetCDF-4/HDF5 (h5wasm) behind one interface.
export { openNetcdf, type NcFile, type NcVariable, type AttrValue } from './netcdf/open.js';

// Writing NetCDF-3 (CDF-2, streamed in chunks).
export { writeNetcdf, type WriteNetcdfOptions, type WriteNetcdfResult } from './netcdf/index.js';
export type { NcDataset } from './netcdf/index.js';

// Search planning: pure functions (POC/POD/POS, rectangles, Bayesian update), no I/O.
export * as search from './search/index.js';

export { VERSION } from './version.js';
