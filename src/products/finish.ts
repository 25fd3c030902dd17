/**
 * The last product, summary.json: it lists every other product with its size and sha256, so it is
 * written once they all are. Small on purpose: the calling thread loads it to finish a mission whose
 * products were written on two mission threads (src/mission/thread-pool.ts), without the writers.
 */
import path from 'node:path';
import { writePieces, writtenProduct } from './files.js';
import type { RecordFiles } from './records.js';
import { productStages } from './stages.js';
import { summaryPieces, summaryProductList } from './summary.js';
import { PRODUCT_PATHS, type ProductFile } from './types.js';

/**
 * What writeSearchFiles (write.ts) leaves to finishProducts: its products and summary.json's content,
 * whose product list and timings are completed once every product is written.
 */
export interface ProductsDraft {
  /** The products written from the density grid and the search, in the order summary.json lists them. */
  files: ProductFile[];
  /** summary.json's content; plain data, so it can cross a thread boundary. */
  summary: Record<string, unknown>;
  /** Time spent building `summary`, ms: part of stage `summary` (finishProducts adds the writing). */
  summaryBuildMs: number;
}

/**
 * Every product but `earlier` (the animation, map.png), summary.json last, in the order summary.json
 * lists them: particles.nc, the draft's files, leeway.txt (when written). summary.json lists those and
 * `earlier` with their sizes and sha256, and the final timings. Stage `summary`: building its content
 * (in writeSearchFiles) and writing it.
 */
export async function finishProducts(
  draft: ProductsDraft,
  records: RecordFiles,
  workDir: string,
  earlier: ProductFile[],
  timingsMs: Record<string, number>,
): Promise<ProductFile[]> {
  const files = [records.trajectory, ...draft.files, ...(records.leeway !== undefined ? [records.leeway] : [])];
  const summary = { ...draft.summary, timings_ms: timingsMs, products: summaryProductList([...files, ...earlier]) };
  const written = await productStages(timingsMs)('summary', () => writePieces(path.join(workDir, PRODUCT_PATHS.summary.relPath), summaryPieces(summary)));
  timingsMs.summary = Math.round((timingsMs.summary ?? 0) + draft.summaryBuildMs);
  return [...files, writtenProduct(workDir, 'summary', written)];
}
