/**
 * One mission on this machine with no Redis, PostgreSQL or S3: what `driftline run` does, as a
 * function a TypeScript program can call (`import { runLocalMission } from 'driftline'`). Local
 * forcing files may be read from anywhere (the caller's machine and rights); s3:// and http(s)://
 * sources follow the worker's policy (FORCING_ALLOW and the rest of the environment's config).
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadConfig, type Config } from '../config.js';
import { forcingPolicyFromConfig } from '../storage/policy.js';
import type { Job } from '../job.js';
import { silentLogger, type Logger } from '../logger.js';
import type { MissionOutcome, MissionProgress } from './types.js';

export interface LocalMissionOptions {
  /** Directory the products are written to (created): raw/particles.nc, products/... */
  out: string;
  /** Simulation threads; default the config's SIM_THREADS. */
  threads?: number;
  onProgress?: (p: MissionProgress) => void;
  /** Aborts the simulation between steps. */
  signal?: AbortSignal;
  /** Default: loadConfig() from the process environment. */
  config?: Config;
  /** Default: silent. */
  logger?: Logger;
}

/** Whether the job (or the environment's default forcing) names s3:// files, which need an S3 client. */
export function jobNeedsS3(job: Job, c: Pick<Config, 'FORCING_WIND_URI' | 'FORCING_CURRENT_URI' | 'FORCING_LAND_URI'>): boolean {
  const uris: unknown[] = [c.FORCING_WIND_URI, c.FORCING_CURRENT_URI, c.FORCING_LAND_URI];
  for (const f of Object.values(job.params.forcing ?? {})) if (f && 'uri' in f) uris.push(...[f.uri].flat());
  return uris.some((u) => typeof u === 'string' && u.startsWith('s3://'));
}

let pipeline: Promise<typeof import('./run.js')> | null = null;

/**
 * Runs `job` and leaves its products in `opts.out`. The simulation threads stay up for the next call
 * (starting them costs tens of milliseconds); call closeMissionRunner() when done.
 */
export async function runLocalMission(job: Job, opts: LocalMissionOptions): Promise<MissionOutcome> {
  const config = opts.config ?? loadConfig();
  // The AWS SDK is imported only for a job that reads s3:// forcing (0.3–2 s of imports otherwise),
  // and the pipeline itself on first use, so importing the library stays cheap.
  let s3: S3Client | null = null;
  if (jobNeedsS3(job, config)) s3 = (await import('../storage/s3.js')).createS3Client(config);
  pipeline ??= import('./run.js');
  const { runMission } = await pipeline;
  try {
    return await runMission(job, {
      config,
      logger: opts.logger ?? silentLogger,
      workDir: path.resolve(opts.out),
      s3,
      forcingPolicy: forcingPolicyFromConfig(config, { localAnywhere: true }),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.threads ? { threads: opts.threads } : {}),
    });
  } finally {
    s3?.destroy();
  }
}

/** Frees the threads runLocalMission keeps between missions. */
export async function closeMissionRunner(): Promise<void> {
  if (!pipeline) return;
  const { closeMissionRunner: close } = await pipeline;
  await close();
}
