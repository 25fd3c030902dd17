/**
 * The mission runner a worker uses: by default the real pipeline (src/mission/run.ts), imported when
 * the worker starts so a broken install fails at start, not on the first job. `--runner MODULE` swaps
 * in any module exporting `runMission(spec, deps)` (spec: src/mission/spec.ts) with the same contract (tests use a small one that
 * writes a product file; a deployment could wrap the pipeline), and optionally `closeMissionRunner()`.
 * The runner owns what it needs across missions (the pipeline: its simulation thread pool) and frees
 * it in close().
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DriftlineError } from '../errors.js';
import type { MissionSpec } from '../mission/spec.js';
import type { MissionDeps, MissionOutcome } from '../mission/types.js';

export interface MissionRunner {
  run(spec: MissionSpec, deps: MissionDeps): Promise<MissionOutcome>;
  /** Free what the runner keeps between missions (threads). Idempotent. */
  close(): Promise<void>;
}

export async function loadMissionRunner(modulePath?: string): Promise<MissionRunner> {
  const specifier = modulePath ? pathToFileURL(path.resolve(modulePath)).href : '../mission/run.js';
  let mod: { runMission?: unknown; closeMissionRunner?: unknown };
  try {
    mod = (await import(specifier)) as typeof mod;
  } catch (err) {
    throw new DriftlineError('E_CONFIG', `mission runner ${modulePath ?? 'src/mission/run.js'} failed to load: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const { runMission, closeMissionRunner } = mod;
  if (typeof runMission !== 'function') {
    throw new DriftlineError('E_CONFIG', `mission runner ${modulePath}: exports no runMission(spec, deps) function`);
  }
  return {
    run: runMission as MissionRunner['run'],
    close: typeof closeMissionRunner === 'function' ? async () => void (await (closeMissionRunner as () => unknown)()) : async () => undefined,
  };
}
