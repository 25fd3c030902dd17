/**
 * products/animation.mp4: one frame per output step, drawn with @napi-rs/canvas (static layers once)
 * and by direct pixel writes (per frame), piped as raw RGBA to a system ffmpeg (H.264, yuv420p).
 *
 * Each frame: basemap of the land the model used (land.ts), lat/lon ticks in degrees and minutes, density shading (log scale,
 * the product grid when its cells are at least 3 px on screen, else a display grid of ~5 px cells),
 * particles coloured by status, datum, last known position, scale bar (km and nm), and a sidebar with
 * mission id, object category, UTC time and the counts by status. With `annotations` (missionAnnotations):
 * each frame's own search areas outlined, plan rectangles while their window is open, and the drifting
 * datum's track (annotations.ts). products/map.png (writeMapPng) is the last frame of the same drawing.
 */
import { createHash } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { createCanvas, GlobalFonts, ImageData } from '@napi-rs/canvas';
import { DriftlineError } from '../../errors.js';
import { STATUS, type TrajectoryResult } from '../../model/types.js';
import { unwrapLonDeg } from '../../model/geo.js';
import { buildDensityGrid, runExtent, type DensityGrid, type Extent } from '../density-grid.js';
import { readEnvWindPlane } from '../env-file.js';
import type { MissionPlan } from '../search-plan.js';
import type { SmoothedAreaSet } from '../search-smoothed.js';
import type { ProductContext } from '../types.js';
import { AnnotationLayer, type MapAnnotations } from './annotations.js';
import { drawBase, drawOverlay } from './base.js';
import { FfmpegEncoder } from './ffmpeg.js';
import { activeStrideFor, FrameCompositor } from './frame.js';
import { DEFAULT_ANIMATION_LAND, landLabel, landMaskOf, landSamples, renderLand, type AnimationLand } from './land.js';
import { SidebarPanel, type FrameWind } from './panel.js';
import { densityLut, layoutFor } from './style.js';
import { fitView, type MapView } from './view.js';

export type { AnimationLand } from './land.js';
export type { MapAnnotations, PlanRectangle } from './annotations.js';
export { findFfmpeg, locateFfmpeg, type FfmpegChoice } from './ffmpeg.js';

export interface AnimationOptions {
  ffmpegPath: string;
  /** Frame size in pixels, even numbers (yuv420p); default 1280 × 720. */
  width?: number;
  height?: number;
  /** The product density grid, reused for the shading when its cells are big enough on screen. */
  grid?: DensityGrid;
  /** Frames per second; default nTimes / 8 clamped to 4..24 (49 frames: 6 fps, an 8 s clip). */
  fps?: number;
  /**
   * The land the model used, drawn as the basemap so stranded particles sit on drawn land: the
   * mission pipeline passes the LandRaster it gave the model. Default: the default coastline's
   * polygons (DEFAULT_ANIMATION_LAND).
   */
  land?: AnimationLand;
  /** Filled with milliseconds per stage (setup, land, basemap, frames, encoder wait). */
  timingsMs?: Record<string, number>;
  /** Search areas, plan rectangles and datum track to draw (missionAnnotations). */
  annotations?: MapAnnotations;
}

/** Display cells of ~5 px: fine enough to show structure, coarse enough to read as shading. */
const DISPLAY_CELL_PX = 5;
/** Below 3 px a product-grid cell is finer than the eye can use; a display grid is built instead. */
const MIN_GRID_CELL_PX = 3;

function withSeed(ext: Extent, ctx: ProductContext): Extent {
  const s = ctx.model.seeding;
  const points: [number, number][] = [[s.lonDeg, s.latDeg]];
  if (s.endLonDeg !== undefined && s.endLatDeg !== undefined) points.push([s.endLonDeg, s.endLatDeg]);
  const e = { ...ext };
  for (const [lon, lat] of points) {
    const u = unwrapLonDeg(lon, e.refLonDeg);
    e.minLonDeg = Math.min(e.minLonDeg, u);
    e.maxLonDeg = Math.max(e.maxLonDeg, u);
    e.minLatDeg = Math.min(e.minLatDeg, lat);
    e.maxLatDeg = Math.max(e.maxLatDeg, lat);
  }
  return e;
}

/**
 * Top of the colour scale: the 99th percentile of the occupied cells' counts over the run, not the
 * maximum. The maximum is the first frames' few cells holding the whole release (5 000 in the demo's
 * first frame while later cells hold 1–30), which left nearly every cell pale yellow; above the top the
 * colour saturates.
 */
export function colourScaleTop(grid: DensityGrid): number {
  // counts and stranded share one layout: i is in bounds of both, `?? 0` only satisfies the type.
  const { counts, stranded } = grid;
  let n = 0;
  for (let i = 0; i < counts.length; i++) if ((counts[i] ?? 0) + (stranded[i] ?? 0) > 0) n++;
  if (n === 0) return 1;
  const occupied = new Uint32Array(n);
  for (let i = 0, k = 0; i < counts.length; i++) {
    const v = (counts[i] ?? 0) + (stranded[i] ?? 0);
    if (v > 0) occupied[k++] = v;
  }
  occupied.sort();
  return occupied[Math.min(n - 1, Math.floor(0.99 * n))] ?? 1; // n >= 1: in bounds
}

/**
 * The map view of a run's frames (cloud over the whole run plus the seed, fitted to the map box).
 * `grid`, when built from this run, supplies the run's extent it already computed.
 */
export function animationView(result: TrajectoryResult, ctx: ProductContext, width: number, height: number, grid?: DensityGrid | null): MapView {
  const seed = ctx.model.seeding;
  const runExt = grid?.extent !== undefined ? grid.extent : runExtent(result);
  const ext = withSeed(
    runExt ?? { refLonDeg: seed.lonDeg, minLonDeg: seed.lonDeg, maxLonDeg: seed.lonDeg, minLatDeg: seed.latDeg, maxLatDeg: seed.latDeg },
    ctx,
  );
  return fitView(ext, layoutFor(width, height).map);
}

/**
 * The recorded wind at output time t: particle p's at u/v[first + p * stride]. A large mission's record
 * file is read one time plane at a time (wind u and v of every particle: 8 MB at 1 000 000 particles).
 */
function recordedWind(result: TrajectoryResult, t: number): { u: Float32Array; v: Float32Array; first: number; stride: number } | null {
  if (result.env) return { u: result.env.windUMps, v: result.env.windVMps, first: t, stride: result.nTimes };
  if (result.envFile === undefined) return null;
  const plane = readEnvWindPlane(result.envFile, result.nParticles, t);
  return { u: plane.subarray(0, result.nParticles), v: plane.subarray(result.nParticles), first: 0, stride: 1 };
}

/** How many particles the mean wind of a frame samples at most: 2 000 give its mean to ~2 % of its spread. */
const WIND_SAMPLES = 2000;

/**
 * The wind of frame t for the panel's arrow: the mean of what the drifting particles saw (result.env,
 * recorded by the mission), else the job's constant wind, else none.
 */
export function frameWind(result: TrajectoryResult, ctx: ProductContext, t: number): FrameWind | null {
  const wind = recordedWind(result, t);
  if (wind) {
    const step = Math.max(1, Math.floor(result.nParticles / WIND_SAMPLES));
    let u = 0;
    let v = 0;
    let n = 0;
    for (let p = 0; p < result.nParticles; p += step) {
      const st = result.status[p * result.nTimes + t];
      if (st === STATUS.STRANDED || st === STATUS.OUTSIDE) continue;
      const i = wind.first + p * wind.stride;
      const wu = wind.u[i] ?? NaN; // in bounds; NaN = no wind recorded, skipped
      const wv = wind.v[i] ?? NaN;
      if (!(wu === wu) || !(wv === wv)) continue;
      u += wu;
      v += wv;
      n++;
    }
    if (n > 0) return { uMps: u / n, vMps: v / n, source: 'mean at particles' };
  }
  const w = ctx.constantWindMps;
  if (w !== undefined) return { uMps: w[0], vMps: w[1], source: 'constant' };
  return null;
}

/** The search areas' annotations from the mission's smoothed areas and plan (src/products/write.ts). */
export function missionAnnotations(areas: SmoothedAreaSet | null, plan: MissionPlan | null): MapAnnotations {
  const out: MapAnnotations = {};
  if (areas !== null) {
    out.areas = areas.areas;
    out.datums = areas.datums;
  }
  if (plan !== null) {
    out.plan = plan.plan.units.map((u, k) => ({
      unit: u.unit,
      ring: u.ring,
      pos: u.pos,
      startTimeSec: plan.windows[k]?.startTimeSec ?? NaN,
      endTimeSec: plan.windows[k]?.endTimeSec ?? NaN,
      plannedAtSec: plan.plannedAtSec[k] ?? NaN,
    }));
  }
  return out;
}

interface FrameSetup {
  compositor: FrameCompositor;
  panel: SidebarPanel;
}

function checkFrame(result: TrajectoryResult, width: number, height: number, what: string): void {
  if (width % 2 !== 0 || height % 2 !== 0 || width < 480 || height < 270) {
    throw new RangeError(`${what}: frame size ${width}×${height} must be even and at least 480×270 (yuv420p, legible text)`);
  }
  if (result.nTimes < 1) throw new RangeError(`${what}: the trajectory has no output times`);
  if (GlobalFonts.families.length === 0) {
    throw new DriftlineError('E_CONFIG', `${what}: no fonts found for text; install a font package such as fonts-dejavu-core`);
  }
}

/** Everything both the animation and map.png draw frames with: view, basemap, overlay, compositor, panel. */
/**
 * The land of one view, kept per land source for the next picture of the same view: the animation and
 * map.png of a mission draw the same view over the same land, and sampling and drawing it cost 60–70 ms
 * each (1 000 particles, bench/animation.bench.mjs). Two views per land at most; the land object going
 * away frees them.
 */
const landLayers = new WeakMap<AnimationLand, Map<string, { landRgba: Uint8ClampedArray; landMask: Uint8Array | undefined }>>();

function landLayer(view: MapView, land: AnimationLand, withMask: boolean): { landRgba: Uint8ClampedArray; landMask: Uint8Array | undefined } {
  const b = view.box;
  const key = [b.x, b.y, b.w, b.h, view.westDeg, view.eastDeg, view.southDeg, view.northDeg, view.pxPerDegLon, view.pxPerDegLat, withMask].join(':');
  let views = landLayers.get(land);
  const hit = views?.get(key);
  if (hit !== undefined) return hit;
  const samples = landSamples(view, land);
  const layer = { landRgba: renderLand(view, samples), landMask: withMask ? landMaskOf(view, samples) : undefined };
  if (views === undefined) landLayers.set(land, (views = new Map()));
  if (views.size >= 2) views.clear();
  views.set(key, layer);
  return layer;
}

function prepareFrames(
  result: TrajectoryResult,
  ctx: ProductContext,
  width: number,
  height: number,
  opts: { grid?: DensityGrid; land?: AnimationLand; annotations?: MapAnnotations; still?: boolean },
  lap: (stage: string) => void,
): FrameSetup {
  const L = layoutFor(width, height);
  // Shade with the product grid (what density.nc holds): the one passed in, else one built at the
  // mission's density_cell_m; only if its cells are under 3 px on screen, a ~5 px display grid instead.
  const productGrid = opts.grid && opts.grid.nTimes === result.nTimes ? opts.grid : null;
  const view = animationView(result, ctx, width, height, productGrid);
  const productCellM = productGrid?.cellM ?? ctx.options.densityCellM;
  const grid =
    (productCellM / 1000) * view.pxPerKm >= MIN_GRID_CELL_PX
      ? (productGrid ?? buildDensityGrid(result, productCellM))
      : buildDensityGrid(result, (DISPLAY_CELL_PX / view.pxPerKm) * 1000);
  const maxCount = colourScaleTop(grid);
  lap('setup');

  const land = opts.land ?? DEFAULT_ANIMATION_LAND;
  // The shading stops at the coast only where the model had land: with coastline action 'none' it
  // ignored the drawn coast, and particles drift over it (a mission seeded inland showed no shading).
  const { landRgba, landMask } = landLayer(view, land, ctx.model.coastlineAction !== 'none');
  lap('land');
  const landLines = landLabel(land, ctx.model.coastlineAction === 'none');
  const a = opts.annotations ?? {};
  const areaPercents = [...new Set((a.areas ?? []).map((x) => x.percent))];
  const base = drawBase(L, view, landRgba, {
    ctx,
    nParticles: result.nParticles,
    maxCellCount: maxCount,
    cellM: grid.cellM,
    landLines,
    areaPercents,
    hasPlan: (a.plan?.length ?? 0) > 0,
    driftingDatum: a.datums !== undefined,
  });
  const overlay = drawOverlay(L, view, ctx);
  const activeStride = activeStrideFor(result.nParticles);
  const annotations = new AnnotationLayer(L, view, a);
  const datums = a.datums;
  const datumByTime = datums
    ? Array.from(result.timesSec, (tSec) => datums.find((d) => Math.abs(d.timeSec - tSec) <= 1) ?? null)
    : undefined;
  const compositor = new FrameCompositor(
    { L, view, base, overlay, result, grid, lut: densityLut(), maxCellCount: maxCount, activeStride },
    { ...(landMask ? { landMask } : {}), ...(annotations.isEmpty ? {} : { annotations }), ...(datumByTime ? { datumByTime } : {}) },
  );
  const panel = new SidebarPanel(L, result.timesSec, activeStride, ctx.model.capsizing !== null, opts.still === true);
  lap('basemap');
  return { compositor, panel };
}

export async function writeAnimation(
  result: TrajectoryResult,
  ctx: ProductContext,
  filePath: string,
  opts: AnimationOptions,
): Promise<void> {
  const timings = opts.timingsMs ?? {};
  let t0 = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    timings[stage] = Math.round((timings[stage] ?? 0) + now - t0);
    t0 = now;
  };
  const width = opts.width ?? 1280;
  const height = opts.height ?? 720;
  checkFrame(result, width, height, 'animation');
  const { compositor, panel } = prepareFrames(result, ctx, width, height, opts, lap);

  const fps = opts.fps ?? Math.min(24, Math.max(4, Math.round(result.nTimes / 8)));
  const encoder = new FfmpegEncoder({
    ffmpegPath: opts.ffmpegPath,
    width,
    height,
    fps,
    outPath: filePath,
    metadata: { title: `driftline mission ${ctx.missionId}`, comment: `Leeway ${ctx.category.key}, ${result.nParticles} particles` },
  });
  // Two frame buffers: one is drawn while the pipe drains the other.
  let buf = new Uint8Array(width * height * 4);
  let other = new Uint8Array(width * height * 4);
  try {
    for (let t = 0; t < result.nTimes; t++) {
      if (t > 0) [buf, other] = [other, buf];
      const stats = compositor.render(t, buf);
      panel.blit(t, stats, buf, frameWind(result, ctx, t));
      lap('frames');
      await encoder.write(buf);
      lap('encoder_wait');
    }
    await encoder.finish();
    lap('encoder_wait');
  } catch (err) {
    encoder.abort();
    await rm(filePath, { force: true });
    throw err;
  }
}

export interface MapOptions {
  /** Image size in pixels; default 1280 × 720 (the animation's frame, so both read alike). */
  width?: number;
  height?: number;
  grid?: DensityGrid;
  land?: AnimationLand;
  annotations?: MapAnnotations;
  timingsMs?: Record<string, number>;
}

/**
 * products/map.png: the animation's last frame as a still (OpenDrift's plot() plays this part): density,
 * particles, the search areas of the final time, every plan rectangle, the datum track, the last known
 * position, the legend and the warnings. Written to a temporary name and renamed, so a failure never
 * leaves half a PNG.
 */
/** Writes products/map.png; returns its size and sha256 (hashed from the encoded bytes, not read back). */
export async function writeMapPng(result: TrajectoryResult, ctx: ProductContext, filePath: string, opts: MapOptions = {}): Promise<{ bytes: number; sha256: string }> {
  const timings = opts.timingsMs ?? {};
  let t0 = performance.now();
  const lap = (stage: string) => {
    const now = performance.now();
    timings[`map_${stage}`] = Math.round((timings[`map_${stage}`] ?? 0) + now - t0);
    t0 = now;
  };
  const width = opts.width ?? 1280;
  const height = opts.height ?? 720;
  checkFrame(result, width, height, 'map.png');
  const { compositor, panel } = prepareFrames(result, ctx, width, height, { ...opts, still: true }, lap);
  const t = result.nTimes - 1;
  const buf = new Uint8Array(width * height * 4);
  const stats = compositor.render(t, buf, true);
  panel.blit(t, stats, buf, frameWind(result, ctx, t));
  const canvas = createCanvas(width, height);
  canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(buf.buffer, buf.byteOffset, buf.byteLength), width, height), 0, 0);
  const png = await canvas.encode('png');
  lap('frame');
  const tmp = `${filePath}.tmp`;
  try {
    await writeFile(tmp, png);
    await rename(tmp, filePath);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  lap('encode');
  return { bytes: png.length, sha256: createHash('sha256').update(png).digest('hex') };
}
