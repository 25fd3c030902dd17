/**
 * The mission function a worker runs. By default the real pipeline (src/mission/run.ts), imported
 * when the worker starts so a broken install fails at start, not on the first job. `--runner MODULE`
 * swaps in any module exporting `runMission(job, deps)` with the same contract (tests use a small
 * one that writes a product file; a deployment could wrap the pipeline).
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DriftlineError } from '../errors.js';
import type { Job } from '../job.js';
import type { MissionDeps, MissionOutcome } from '../mission/types.js';

export type MissionRunner = (job: Job, deps: MissionDeps) => Promise<MissionOutcome>;

export async function loadMissionRunner(modulePath?: string): Promise<MissionRunner> {
  const specifier = modulePath ? pathToFileURL(path.resolve(modulePath)).href : '../mission/run.js';
  let mod: { runMission?: unknown };
  try {
    mod = (await import(specifier)) as { runMission?: unknown };
  } catch (err) {
    throw new DriftlineError('E_CONFIG', `mission runner ${modulePath ?? 'src/mission/run.js'} failed to load: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (typeof mod.runMission !== 'function') {
    throw new DriftlineError('E_CONFIG', `mission runner ${modulePath}: exports no runMission(job, deps) function`);
  }
  return mod.runMission as MissionRunner;
}
