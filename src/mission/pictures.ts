/**
 * A mission's pictures, animation.mp4 and map.png, drawn from its density grid and the search areas and
 * plan already computed (`annotations`). writeMissionProducts (products.ts) draws them where it runs; a
 * small mission written on the calling thread draws one of them on a mission thread meanwhile
 * (thread-pool.ts drawPicturesOffThread; products.ts says when and why).
 *
 * A picture that cannot be drawn (no fonts, no ffmpeg, a full disk) never fails the mission: the
 * coordinator still has every other product, and `warnings` says what is missing.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeAnimation, writeMapPng, type AnimationLand } from '../products/animation/index.js';
import type { MapAnnotations } from '../products/animation/annotations.js';
import type { DensityGrid } from '../products/density-grid.js';
import { describeProduct, writtenProduct } from '../products/files.js';
import { stageTimer } from '../products/timing.js';
import { PRODUCT_PATHS, type ProductContext, type ProductFile } from '../products/types.js';
import type { TrajectoryResult } from '../model/types.js';

export interface PicturesInput {
  result: TrajectoryResult;
  ctx: ProductContext;
  workDir: string;
  grid: DensityGrid;
  annotations: MapAnnotations;
  /** null: no animation (not asked for, no ffmpeg, or drawn elsewhere). */
  animation: { ffmpegPath: string; land: AnimationLand } | null;
  /** null: no map.png (not asked for, or drawn elsewhere). */
  map: { land: AnimationLand } | null;
  /** The mission's warnings so far: the pictures print them. */
  warnings: string[];
}

export interface PicturesOutput {
  /** animation.mp4, then map.png, those drawn. */
  products: ProductFile[];
  /** Stages `animation` and `map`. */
  timingsMs: Record<string, number>;
  /** What could not be drawn, one line each. */
  warnings: string[];
}

/** Error message without a stack, for a warning. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export async function drawMissionPictures(input: PicturesInput): Promise<PicturesOutput> {
  const { result, workDir, grid, annotations } = input;
  const timingsMs: Record<string, number> = {};
  const timed = stageTimer(timingsMs);
  const warnings: string[] = [];
  const ctx = (): ProductContext => ({ ...input.ctx, warnings: [...input.warnings, ...warnings] });
  const products: ProductFile[] = [];
  if (input.animation !== null) {
    try {
      const filePath = path.join(workDir, PRODUCT_PATHS.animation.relPath);
      await mkdir(path.dirname(filePath), { recursive: true });
      const { ffmpegPath, land } = input.animation;
      await timed('animation', () => writeAnimation(result, ctx(), filePath, { ffmpegPath, grid, land, annotations }));
      products.push(await describeProduct(workDir, 'animation'));
    } catch (err) {
      warnings.push(`animation failed: ${messageOf(err)}`);
    }
  }
  if (input.map !== null) {
    try {
      const filePath = path.join(workDir, PRODUCT_PATHS.map.relPath);
      await mkdir(path.dirname(filePath), { recursive: true });
      const { land } = input.map;
      const png = await timed('map', () => writeMapPng(result, ctx(), filePath, { grid, land, annotations }));
      products.push(writtenProduct(workDir, 'map', png));
    } catch (err) {
      warnings.push(`map.png failed: ${messageOf(err)}`);
    }
  }
  return { products, timingsMs, warnings };
}
