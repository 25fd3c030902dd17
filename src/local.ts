/**
 * `import { runLocalMission } from 'driftline'`: a validated job run on this machine with no Redis,
 * PostgreSQL or S3, as `driftline run` does. The job is resolved here, at the edge, with the
 * environment's forcing defaults (src/job/resolve.ts); the pipeline takes the resolved spec.
 */
import { loadConfig } from './config.js';
import type { Job } from './job/schema.js';
import { resolveMission } from './job/resolve.js';
import { runMissionLocally, type LocalMissionOptions } from './mission/local.js';
import type { MissionOutcome } from './mission/types.js';

/**
 * Runs `job` and leaves its products in `opts.out`. Throws E_FORCING_MISSING / E_JOB_INVALID when the
 * job cannot be resolved (see resolveMission). Call closeMissionRunner() when done.
 */
export async function runLocalMission(job: Job, opts: LocalMissionOptions): Promise<MissionOutcome> {
  const config = opts.config ?? loadConfig();
  return runMissionLocally(resolveMission(job, config), { ...opts, config });
}
