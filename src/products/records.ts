/**
 * The files with a row per particle and output time: raw/particles.nc (stage `trajectory_nc`) and
 * products/leeway.txt (`leeway_ascii`, up to LEEWAY_ASCII_MAX_RECORDS). They read the trajectory and the
 * particle weights only, no grid or search area, so a mission thread writes them while the other writes
 * the rest (src/mission/thread-pool.ts): 0.46 s of 1.3 s of products at 20 000 × 48 h.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describeProduct, writtenProduct } from './files.js';
import type { TrajectoryResult } from '../model/types.js';
import { LEEWAY_ASCII_MAX_RECORDS, writeLeewayAscii } from './leeway-ascii.js';
import { productStages } from './stages.js';
import { addStageTime } from './timing.js';
import { writeTrajectoryNc } from './trajectory.js';
import { PRODUCT_PATHS, type ProductContext, type ProductFile } from './types.js';

export interface RecordFiles {
  trajectory: ProductFile;
  /** Absent over LEEWAY_ASCII_MAX_RECORDS (the warning says so: warnings.ts). */
  leeway?: ProductFile;
}

/**
 * The ProductFile of a NetCDF file: hashed while written (NetCDF-3), read back when h5wasm wrote it
 * (NetCDF-4). Stage `checksums` adds up over particles.nc and density.nc, which may be on two threads.
 */
export async function netcdfProduct(
  workDir: string,
  kind: 'trajectory' | 'density',
  written: { bytes: number; sha256?: string },
  timingsMs: Record<string, number>,
): Promise<ProductFile> {
  const t0 = performance.now();
  try {
    return written.sha256 !== undefined ? writtenProduct(workDir, kind, { bytes: written.bytes, sha256: written.sha256 }) : await describeProduct(workDir, kind);
  } finally {
    addStageTime(timingsMs, 'checksums', performance.now() - t0);
  }
}

/**
 * particles.nc, then leeway.txt. `ctx.warnings` go into particles.nc's attributes: the mission's
 * warnings with addProductWarnings' (warnings.ts) added.
 */
export async function writeRecordFiles(
  result: TrajectoryResult,
  ctx: ProductContext,
  workDir: string,
  weights: Float64Array,
  timingsMs: Record<string, number>,
): Promise<RecordFiles> {
  const timed = productStages(timingsMs);
  const target = (kind: 'trajectory' | 'leeway_ascii') => path.join(workDir, PRODUCT_PATHS[kind].relPath);
  await mkdir(path.dirname(target('trajectory')), { recursive: true });
  const nc = await timed('trajectory_nc', () => writeTrajectoryNc(result, ctx, target('trajectory'), {}, weights));
  const trajectory = await netcdfProduct(workDir, 'trajectory', nc, timingsMs);
  if (result.nParticles * result.nTimes > LEEWAY_ASCII_MAX_RECORDS) return { trajectory };
  const leeway = await timed('leeway_ascii', () => writeLeewayAscii(result, ctx, target('leeway_ascii')));
  return { trajectory, leeway: writtenProduct(workDir, 'leeway_ascii', leeway) };
}
