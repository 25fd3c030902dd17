/**
 * Everything a mission writes after its simulation: the density grid, the search areas and plan (once,
 * for the pictures and their files), the animation, map.png, then the other products
 * (src/products/write.ts); with `recordFilesApart`, all of that but particles.nc, leeway.txt and
 * summary.json (record-files.ts and thread-pool.ts write those). Runs on a mission thread (src/mission/thread-pool.ts) so that
 * seconds of drawing and encoding at 1 000 000 particles never stall the worker's heartbeat; it reads
 * the trajectory from the SharedArrayBuffers the simulation filled, without a copy.
 *
 * No logger here (a thread has none): what went wrong without failing the mission comes back in
 * `warnings`, which the caller logs.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { missionAnnotations, writeAnimation, writeMapPng, type AnimationLand } from '../products/animation/index.js';
import { buildDensityGrid } from '../products/density-grid.js';
import { PRODUCT_PATHS, type ProductContext, type ProductFile } from '../products/types.js';
import type { ProductsDraft } from '../products/finish.js';
import { addProductWarnings } from '../products/warnings.js';
import { missionSearchProducts, productInputs, writeAllProducts, writeSearchFiles, type SearchProducts, type WriteAllOptions } from '../products/write.js';
import type { TrajectoryResult } from '../model/types.js';
import { describeProduct, writtenProduct } from '../products/files.js';
import { stageTimer } from '../products/timing.js';

export interface ProductsInput {
  result: TrajectoryResult;
  ctx: ProductContext;
  workDir: string;
  /** params.products.density_cell_m */
  cellM: number;
  /** params.products.search_area_percents */
  percents: number[];
  /** null: no animation (not asked for, or no ffmpeg). */
  animation: { ffmpegPath: string; land: AnimationLand } | null;
  /** products/map.png with the model's land; null or absent: not asked for (params.products.map false). */
  map?: { land: AnimationLand } | null;
  /** Stage timings and warnings so far; returned with the product stages added. */
  timingsMs: Record<string, number>;
  warnings: string[];
  /**
   * particles.nc and leeway.txt are written apart (record-files.ts, on the other mission thread at the
   * same time): then summary.json is not written either, and `draft` comes back for finishProducts.
   */
  recordFilesApart?: boolean;
}

export interface ProductsOutput {
  /** Products in upload order: those of writeAllProducts, then the animation (with `recordFilesApart`: the animation and map.png only). */
  products: ProductFile[];
  /** With `recordFilesApart`: the other products and summary.json's draft (writeSearchFiles). */
  draft?: ProductsDraft;
  timingsMs: Record<string, number>;
  warnings: string[];
}

export type ProductsStage = 'animation' | 'products';

/** Error message without a stack, for a warning. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function writeMissionProducts(input: ProductsInput, onStage: (stage: ProductsStage) => void = () => undefined): Promise<ProductsOutput> {
  const { result, ctx, workDir, timingsMs, warnings } = input;
  const timed = stageTimer(timingsMs);
  // One density grid serves density.nc, the search areas and the animation's shading (~70 ms at
  // 100 000 particles × 49 records: worth building once).
  const grid = await timed('density_grid', () => buildDensityGrid(result, input.cellM));
  addProductWarnings(result, grid, warnings);

  // The search areas and plan, computed once for the pictures and for their files. If this fails, the
  // pictures go without them and writeAllProducts computes them again, failing as it always did.
  let searchProducts: SearchProducts | undefined;
  if (input.animation !== null || input.map) {
    try {
      searchProducts = await timed('search_products', () => missionSearchProducts(result, ctx, input.percents, grid));
    } catch {
      searchProducts = undefined;
    }
  }
  const annotations = searchProducts ? missionAnnotations(searchProducts.areaSet, searchProducts.plan) : {};

  const products: ProductFile[] = [];
  if (input.animation !== null) {
    onStage('animation');
    try {
      const filePath = path.join(workDir, PRODUCT_PATHS.animation.relPath);
      await mkdir(path.dirname(filePath), { recursive: true });
      const { ffmpegPath, land } = input.animation;
      await timed('animation', () => writeAnimation(result, { ...ctx, warnings: [...warnings] }, filePath, { ffmpegPath, grid, land, annotations }));
      products.push(await describeProduct(workDir, 'animation'));
    } catch (err) {
      // A failed animation does not fail the mission: the coordinator still has every other product.
      warnings.push(`animation failed: ${messageOf(err)}`);
    }
  }
  if (input.map) {
    try {
      const filePath = path.join(workDir, PRODUCT_PATHS.map.relPath);
      await mkdir(path.dirname(filePath), { recursive: true });
      const { land } = input.map;
      const png = await timed('map', () => writeMapPng(result, { ...ctx, warnings: [...warnings] }, filePath, { grid, land, annotations }));
      products.push(writtenProduct(workDir, 'map', png));
    } catch (err) {
      // As the animation: a picture that cannot be drawn (no fonts, disk) never fails the mission.
      warnings.push(`map.png failed: ${messageOf(err)}`);
    }
  }

  onStage('products');
  const t0 = performance.now();
  const options: WriteAllOptions = {
    cellM: input.cellM,
    percents: input.percents,
    grid,
    timingsMs,
    warnings,
    earlierProducts: [...products],
    ...(searchProducts ? { searchProducts } : {}),
  };
  if (input.recordFilesApart) {
    const draft = await writeSearchFiles(result, ctx, workDir, { ...options, ...(await productInputs(result, ctx, options)) });
    timingsMs.products = Math.round(performance.now() - t0);
    return { products, draft, timingsMs, warnings };
  }
  const written = await writeAllProducts(result, ctx, workDir, options);
  timingsMs.products = Math.round(performance.now() - t0);
  products.unshift(...written);
  return { products, timingsMs, warnings };
}
