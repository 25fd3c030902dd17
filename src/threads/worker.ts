/**
 * A simulation thread (piscina worker). One task runs part of one mission on the shared arrays:
 *  - rng "fast": claims blocks of particles one at a time from the shared counter and runs each from
 *    seeding to the end, until no block is left (any number of threads, identical results);
 *  - rng "opendrift": the whole run, step by step, in OpenDrift's draw order (one task only).
 * The samplers are built here from the descriptors, whose grids live in SharedArrayBuffers. A large
 * mission's environment goes to its record file through this task's own descriptor (env-file.ts).
 */
import { createVectorSampler } from '../forcing/sampler.js';
import type { EnvRecordSink } from '../model/env-records.js';
import { createLandSampler } from '../land/sampler.js';
import { planRun } from '../model/plan.js';
import { runBlocks, runOpenDriftOrder, type RunHooks } from '../model/simulation.js';
import { createStepContext } from '../model/step.js';
import { openEnvFileSink } from './env-file.js';
import { CONTROL, type SimulationTask, type SimulationTaskResult } from './protocol.js';

export default function runSimulationTask(task: SimulationTask): SimulationTaskResult {
  const envSink = task.recordEnvironment && task.envFile !== null ? openEnvFileSink(task.envFile, task.arrays.n) : null;
  try {
    return runTask(task, envSink);
  } finally {
    envSink?.close();
  }
}

function runTask(task: SimulationTask, envSink: EnvRecordSink | null): SimulationTaskResult {
  const { model, arrays, control, nBlocks } = task;
  const plan = planRun(model);
  const land = task.land !== null && model.coastlineAction !== 'none' ? createLandSampler(task.land) : null;
  const ctx = createStepContext(model, plan, arrays, {
    wind: createVectorSampler(task.wind),
    current: createVectorSampler(task.current),
    stokes: task.stokes === null ? null : createVectorSampler(task.stokes),
    land,
    recordEnvironment: task.recordEnvironment,
    envSink,
  });
  const hooks: RunHooks = {
    onParticleSteps: () => void Atomics.add(control, CONTROL.STEPS_DONE, 1),
    shouldStop: () => Atomics.load(control, CONTROL.ABORT) !== 0,
  };
  if (model.rng === 'opendrift') return runOpenDriftOrder(model, ctx, hooks);
  const nextBlock = () => {
    const b = Atomics.add(control, CONTROL.NEXT_BLOCK, 1);
    return b < nBlocks ? b : -1;
  };
  return runBlocks(model, ctx, nextBlock, hooks);
}
