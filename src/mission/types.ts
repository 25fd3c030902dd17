/**
 * The mission pipeline's contract: one job in, product files in a work directory out. The worker
 * (src/worker) uploads them to S3 and records them; `driftline run` leaves them in --out DIR.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';
import type { ForcingPolicy } from '../storage/policy.js';
import type { ForcingDescriptor } from '../forcing/types.js';
import type { Logger } from '../logger.js';
import type { ProductFile } from '../products/types.js';

export interface MissionProgress {
  /** 0..1 over the whole mission. */
  fraction: number;
  stage: 'forcing' | 'land' | 'simulation' | 'products' | 'animation' | 'done';
}

export interface MissionDeps {
  config: Config;
  logger: Logger;
  /** Products are written under this directory at their relPath (raw/particles.nc, products/...). */
  workDir: string;
  /** For s3:// forcing URIs; null when there is no S3 (local run). */
  s3: S3Client | null;
  onProgress?: (p: MissionProgress) => void;
  /** Aborts the simulation between steps (shutdown). */
  signal?: AbortSignal;
  /** Simulation threads; default config.SIM_THREADS. */
  threads?: number;
  /** Forcing source policy; default the queued-job policy of `config` (`driftline run` passes one allowing local files). */
  forcingPolicy?: ForcingPolicy;
  /**
   * Called once the forcing is loaded with the bytes it holds (ensemble members included; estimate.ts
   * forcingMemory), which the admission estimate could not know: the worker adds them to its budget.
   */
  onForcingMemory?: (bytes: number) => void;
  /**
   * Recorded environment above which it goes to a file in `workDir` rather than memory; default
   * estimate.ts ENV_FILE_MIN_BYTES (64 MiB). Tests force either path (0: always a file; Infinity: never).
   */
  envFileMinBytes?: number;
}

export interface MissionOutcome {
  products: ProductFile[];
  /** Non-fatal problems (e.g. animation failed, fallback forcing used). */
  warnings: string[];
  forcing: ForcingDescriptor['sources'];
  timingsMs: Record<string, number>;
  particleSteps: number;
}
