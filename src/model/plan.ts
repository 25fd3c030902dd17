/**
 * The time axis of a run, from ModelParams: how many calculation steps, how many output records and
 * when. As OpenDrift (basemodel `run`), the duration is rounded up to a whole number of output steps and
 * a run of duration D with output step Δ has D/Δ + 1 records (t = 0, Δ, …, D), the record at t holding
 * the state before the step that starts at t.
 */
import { DriftlineError } from '../errors.js';
import type { ModelParams } from './types.js';

export interface RunPlan {
  /** Signed calculation step (negative: backward run). */
  dtSec: number;
  absDtSec: number;
  /** +1 forward, -1 backward. */
  direction: 1 | -1;
  /** Calculation steps in the run. */
  nSteps: number;
  /** Calculation steps per output record. */
  stepsPerOutput: number;
  /** Output records, nSteps / stepsPerOutput + 1. */
  nTimes: number;
  startTimeSec: number;
  /** Record times, seconds since epoch (descending for a backward run). */
  timesSec: Float64Array;
}

/** Fraction of a step below which a duration counts as a whole number of output steps (rounding slack). */
const WHOLE_STEP_SLACK = 1e-9;

export function planRun(model: ModelParams): RunPlan {
  const dtSec = model.timeStepSec;
  if (!Number.isFinite(dtSec) || dtSec === 0) {
    throw new DriftlineError('E_JOB_INVALID', `params.time_step_seconds: must be a non-zero number of seconds, got ${dtSec}`, {
      field: 'params.time_step_seconds',
    });
  }
  const absDtSec = Math.abs(dtSec);
  const stepsPerOutput = model.outputStepSec / absDtSec;
  if (!Number.isInteger(stepsPerOutput) || stepsPerOutput < 1) {
    throw new DriftlineError(
      'E_JOB_INVALID',
      `params.output_step_seconds: ${model.outputStepSec} must be a positive multiple of |time_step_seconds| (${absDtSec})`,
      { field: 'params.output_step_seconds' },
    );
  }
  if (!(model.durationSec > 0)) {
    throw new DriftlineError('E_JOB_INVALID', `params.duration_hours: must be positive, got ${model.durationSec / 3600} h`, {
      field: 'params.duration_hours',
    });
  }
  const nOutputSteps = Math.max(1, Math.ceil(model.durationSec / model.outputStepSec - WHOLE_STEP_SLACK));
  const nTimes = nOutputSteps + 1;
  const direction = dtSec > 0 ? 1 : -1;
  const timesSec = new Float64Array(nTimes);
  for (let r = 0; r < nTimes; r++) timesSec[r] = model.startTimeSec + direction * r * model.outputStepSec;
  return {
    dtSec,
    absDtSec,
    direction,
    nSteps: nOutputSteps * stepsPerOutput,
    stepsPerOutput,
    nTimes,
    startTimeSec: model.startTimeSec,
    timesSec,
  };
}

/** Time at the start of calculation step k. */
export function stepTimeSec(plan: RunPlan, k: number): number {
  return plan.startTimeSec + k * plan.dtSec;
}
