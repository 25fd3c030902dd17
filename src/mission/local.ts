/**
 * One resolved mission on this machine with no Redis, PostgreSQL or S3: what `driftline run` does
 * (src/local.ts runLocalMission resolves the job and calls this). Local
 * forcing files may be read from anywhere (the caller's machine and rights); s3:// and http(s)://
 * sources follow the worker's policy (FORCING_ALLOW and the rest of the environment's config).
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { loadConfig, type Config } from '../config.js';
import { forcingPolicyFromConfig } from '../storage/policy.js';
import { silentLogger, type Logger } from '../logger.js';
import type { MissionSpec } from './spec.js';
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

/** Whether the mission's forcing (the job's or the environment's defaults) names s3:// files, which need an S3 client. */
export function specNeedsS3(spec: Pick<MissionSpec, 'forcing'>): boolean {
  const { wind, current, stokes, land } = spec.forcing;
  return [wind, current, stokes, land].some((r) => r !== null && r.kind === 'file' && r.named.uris.some((u) => u.startsWith('s3://')));
}

let pipeline: Promise<typeof import('./run.js')> | null = null;

/**
 * Runs `spec` and leaves its products in `opts.out`. The simulation threads stay up for the next call
 * (starting them costs tens of milliseconds); call closeMissionRunner() when done.
 */
export async function runMissionLocally(spec: MissionSpec, opts: LocalMissionOptions): Promise<MissionOutcome> {
  const config = opts.config ?? loadConfig();
  // The AWS SDK is imported only for a job that reads s3:// forcing (0.3–2 s of imports otherwise),
  // and the pipeline itself on first use, so importing the library stays cheap.
  let s3: S3Client | null = null;
  if (specNeedsS3(spec)) s3 = (await import('../storage/s3.js')).createS3Client(config);
  pipeline ??= import('./run.js');
  const { runMission } = await pipeline;
  try {
    return await runMission(spec, {
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
