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
import { performance } from 'node:perf_hooks';
import { missionAnnotations, type AnimationLand } from '../products/animation/index.js';
import { buildDensityGrid } from '../products/density-grid.js';
import type { ProductContext, ProductFile } from '../products/types.js';
import { finishProducts, type ProductsDraft } from '../products/finish.js';
import { addProductWarnings } from '../products/warnings.js';
import { missionSearchProducts, productInputs, writeAllProducts, writeSearchFiles, type SearchProducts, type WriteAllOptions } from '../products/write.js';
import type { TrajectoryResult } from '../model/types.js';
import { writeRecordFiles } from '../products/records.js';
import { addStageTime, stageTimer } from '../products/timing.js';
import { drawMissionPictures, type PicturesInput, type PicturesOutput } from './pictures.js';

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

export interface ProductsOptions {
  /**
   * Draws pictures on a mission thread (thread-pool.ts drawPicturesOffThread). Given for a small mission
   * written on the calling thread, whose second core is otherwise idle while the products are written:
   * one picture is drawn there while this thread draws the other and writes the files.
   */
  drawApart?: (input: PicturesInput) => Promise<PicturesOutput>;
}

export async function writeMissionProducts(
  input: ProductsInput,
  onStage: (stage: ProductsStage) => void = () => undefined,
  opts: ProductsOptions = {},
): Promise<ProductsOutput> {
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

  const pictures: PicturesInput = { result, ctx, workDir, grid, annotations, animation: input.animation, map: input.map ?? null, warnings };
  // A small mission written on this thread draws one picture on a mission thread meanwhile: the
  // animation when there is one (the longer to draw), else map.png.
  const drawApart = input.recordFilesApart ? undefined : opts.drawApart;
  const apart = drawApart === undefined ? null : input.animation !== null ? 'animation' : input.map ? 'map' : null;
  if (drawApart !== undefined && apart !== null) return writeWithPictureApart(input, pictures, apart, drawApart, searchProducts, onStage);

  if (input.animation !== null) onStage('animation');
  const drawn = await drawMissionPictures(pictures);
  mergePictures(drawn, timingsMs, warnings);
  const products = drawn.products;

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

/** A picture stage's timings and warnings into the mission's. */
function mergePictures(drawn: PicturesOutput, timingsMs: Record<string, number>, warnings: string[]): void {
  for (const [stage, ms] of Object.entries(drawn.timingsMs)) addStageTime(timingsMs, stage, ms);
  warnings.push(...drawn.warnings);
}

/**
 * writeMissionProducts with picture `apart` drawn by `drawApart` while this thread draws the other one
 * and writes every other file; summary.json, which lists the pictures, is written once both are done.
 * Same files as on one thread, except that particles.nc cannot carry a warning the other thread raises
 * ("animation failed"), which summary.json does. A thread that fails is the picture failing: a warning.
 */
async function writeWithPictureApart(
  input: ProductsInput,
  pictures: PicturesInput,
  apart: 'animation' | 'map',
  drawApart: (input: PicturesInput) => Promise<PicturesOutput>,
  searchProducts: SearchProducts | undefined,
  onStage: (stage: ProductsStage) => void,
): Promise<ProductsOutput> {
  const { result, ctx, workDir, timingsMs, warnings } = input;
  if (input.animation !== null) onStage('animation');
  const away = drawApart({ ...pictures, warnings: [...warnings], ...(apart === 'animation' ? { map: null } : { animation: null }) }).catch(
    (err: unknown): PicturesOutput => ({ products: [], timingsMs: {}, warnings: [`${apart === 'animation' ? 'animation' : 'map.png'} failed: ${err instanceof Error ? err.message : String(err)}`] }),
  );
  const here = await drawMissionPictures({ ...pictures, ...(apart === 'animation' ? { animation: null } : { map: null }) });
  mergePictures(here, timingsMs, warnings);

  onStage('products');
  const t0 = performance.now();
  const options: WriteAllOptions = { cellM: input.cellM, percents: input.percents, grid: pictures.grid, timingsMs, warnings, ...(searchProducts ? { searchProducts } : {}) };
  const inputs = await productInputs(result, ctx, options);
  const records = await writeRecordFiles(result, { ...ctx, warnings: [...warnings] }, workDir, inputs.search.weights, timingsMs);
  // summary.json's content holds `warnings` itself, so what the other thread adds below is listed too.
  const draft = await writeSearchFiles(result, ctx, workDir, { ...options, ...inputs });
  const awayDrawn = await away;
  mergePictures(awayDrawn, timingsMs, warnings);
  // In the order they are listed on one thread: animation.mp4, then map.png.
  const drawn = apart === 'animation' ? [...awayDrawn.products, ...here.products] : [...here.products, ...awayDrawn.products];
  const written = await finishProducts(draft, records, workDir, drawn, timingsMs);
  timingsMs.products = Math.round(performance.now() - t0);
  return { products: [...written, ...drawn], timingsMs, warnings };
}
