/**
 * products/map.png (the final time as a still) and its place among a mission's products: a valid PNG of
 * the frame size, ink where the particles are and sea where there are none, no shading from particles
 * that left the forcing, listed in summary.json with its checksum also when there is no animation,
 * and a failure of either picture is a warning, never a failed mission.
 */
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeMissionProducts } from '../../src/mission/products.js';
import { STATUS } from '../../src/model/types.js';
import { buildDensityGrid } from '../../src/products/density-grid.js';
import { animationView, writeMapPng } from '../../src/products/animation/index.js';
import { DEFAULT_ANIMATION_LAND } from '../../src/products/animation/land.js';
import { COLOURS, hexRgb } from '../../src/products/animation/style.js';
import { xOf, yOf } from '../../src/products/animation/view.js';
import { seededContext, syntheticCloud } from '../unit/products.fixtures.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-map-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const W = 1280;
const H = 720;
const NT = 13;
// 5 % of the particles leave the forcing at record 9 and stay there while the cloud drifts on east
// (4 km per record, σ ~2 km), so at the last record they sit ~12 km behind it, in cells no drifting
// particle shares.
const cloud = syntheticCloud({
  nParticles: 3000,
  nTimes: NT,
  lon0Deg: -69.0,
  lat0Deg: 40.5,
  driftEastMPerStep: 4000,
  sigmaGrowthMPerStep: 150,
  strandedFraction: 0.03,
  outsideFraction: 0.05,
});
const ctx = seededContext({ lonDeg: -69.0, latDeg: 40.5, objectType: 'PIW-1', missionId: 'map-test' });
const grid = buildDensityGrid(cloud, 1000);

async function rgbaOf(png: Buffer): Promise<Uint8ClampedArray> {
  const img = await loadImage(png);
  const c = createCanvas(img.width, img.height);
  const g = c.getContext('2d');
  g.drawImage(img, 0, 0);
  return g.getImageData(0, 0, img.width, img.height).data;
}

function dist(px: Uint8ClampedArray, x: number, y: number, colour: [number, number, number]): number {
  const i = (Math.round(y) * W + Math.round(x)) * 4;
  return Math.hypot(at(px, i) - colour[0], at(px, i + 1) - colour[1], at(px, i + 2) - colour[2]);
}

describe('writeMapPng', () => {
  const file = path.join(dir, 'alone', 'map.png');
  let png: Buffer;
  let px: Uint8ClampedArray;
  beforeAll(async () => {
    mkdirSync(path.dirname(file), { recursive: true });
    await writeMapPng(cloud, ctx, file, { grid });
    if (process.env.DRIFTLINE_KEEP_MAP) writeFileSync(process.env.DRIFTLINE_KEEP_MAP, readFileSync(file)); // to look at it
    png = readFileSync(file);
    px = await rgbaOf(png);
  }, 60_000);

  it('is a PNG of 1280 × 720 (signature and IHDR)', () => {
    expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(W);
    expect(png.readUInt32BE(20)).toBe(H);
    expect(existsSync(`${file}.tmp`)).toBe(false);
  });

  it('has ink where the drifting particles are at the final time, and open sea elsewhere', () => {
    const view = animationView(cloud, ctx, W, H, grid);
    const sea = hexRgb(COLOURS.sea);
    const t = NT - 1;
    let drifting = 0;
    let inked = 0;
    for (let p = 0; p < cloud.nParticles; p++) {
      const i = p * NT + t;
      if (cloud.status[i] !== STATUS.ACTIVE) continue;
      drifting++;
      // PNG is lossless: a pixel under shading or a dot is more than 20 RGB levels from the sea.
      if (dist(px, xOf(view, at(cloud.lonDeg, i)), yOf(view, at(cloud.latDeg, i)), sea) > 20) inked++;
    }
    expect(drifting).toBeGreaterThan(2500);
    expect(inked / drifting).toBeGreaterThan(0.98);
    // Most of the map box is open sea (exact colour): the cloud covers a part of it only.
    let seaPx = 0;
    const { box } = view;
    for (let y = box.y; y < box.y + box.h; y++) for (let x = box.x; x < box.x + box.w; x++) if (dist(px, x, y, sea) === 0) seaPx++;
    expect(seaPx / (box.w * box.h)).toBeGreaterThan(0.3);
  });

  it('does not shade cells that hold only particles outside the forcing', () => {
    const view = animationView(cloud, ctx, W, H, grid);
    const sea = hexRgb(COLOURS.sea);
    const t = NT - 1;
    const cellOf = (i: number) => {
      const x = Math.floor((at(cloud.lonDeg, i) - grid.westDeg) / grid.dLonDeg);
      const y = Math.floor((at(cloud.latDeg, i) - grid.southDeg) / grid.dLatDeg);
      return y * grid.nx + x;
    };
    const othersIn = new Set<number>();
    for (let p = 0; p < cloud.nParticles; p++) {
      const i = p * NT + t;
      if (cloud.status[i] !== STATUS.OUTSIDE) othersIn.add(cellOf(i));
    }
    const lonelyCells = new Set<number>();
    for (let p = 0; p < cloud.nParticles; p++) {
      const i = p * NT + t;
      if (cloud.status[i] === STATUS.OUTSIDE && !othersIn.has(cellOf(i))) lonelyCells.add(cellOf(i));
    }
    // Each such cell's pixel rectangle (1 px in from its edges, for rounding) is open sea but for the
    // hollow grey squares over it; shaded, not one of its pixels would be the sea's exact colour.
    let unshaded = 0;
    for (const c of lonelyCells) {
      const cx = c % grid.nx;
      const cy = (c - cx) / grid.nx;
      const x0 = Math.ceil(xOf(view, grid.westDeg + cx * grid.dLonDeg)) + 1;
      const x1 = Math.floor(xOf(view, grid.westDeg + (cx + 1) * grid.dLonDeg)) - 1;
      const y0 = Math.ceil(yOf(view, grid.southDeg + (cy + 1) * grid.dLatDeg)) + 1;
      const y1 = Math.floor(yOf(view, grid.southDeg + cy * grid.dLatDeg)) - 1;
      let seaPx = 0;
      let all = 0;
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++, all++) if (dist(px, x, y, sea) === 0) seaPx++;
      }
      if (all > 0 && seaPx / all > 0.25) unshaded++;
    }
    expect(lonelyCells.size).toBeGreaterThan(20);
    expect(unshaded).toBe(lonelyCells.size);
  });
});

describe('density shading and land', () => {
  // A cloud seeded 30 km inland in Norway (7.75°E 60.3°N): all of it over the default coastline's land.
  const inland = syntheticCloud({ nParticles: 2000, nTimes: 3, lon0Deg: 7.75, lat0Deg: 60.3, sigma0M: 3000, sigmaGrowthMPerStep: 0 });
  const inlandCtx = seededContext({ lonDeg: 7.75, latDeg: 60.3, missionId: 'inland' });
  const inlandGrid = buildDensityGrid(inland, 1000);

  /** Fraction of the pixels within 2 km of the cloud's centre that show the bare land colour. */
  async function bareLandFraction(coastlineAction: 'stranding' | 'none'): Promise<number> {
    const f = path.join(dir, `inland-${coastlineAction}.png`);
    const c = { ...inlandCtx, model: { ...inlandCtx.model, coastlineAction } };
    await writeMapPng(inland, c, f, { grid: inlandGrid });
    const img = await rgbaOf(readFileSync(f));
    const view = animationView(inland, c, W, H, inlandGrid);
    const cx = xOf(view, 7.75);
    const cy = yOf(view, 60.3);
    const r = 2 * view.pxPerKm;
    const land = hexRgb(COLOURS.land);
    let n = 0;
    let bare = 0;
    for (let y = Math.ceil(cy - r); y <= cy + r; y++) {
      for (let x = Math.ceil(cx - r); x <= cx + r; x++) {
        if ((x - cx) ** 2 + (y - cy) ** 2 > r * r) continue;
        n++;
        if (dist(img, x, y, land) === 0) bare++;
      }
    }
    return bare / n;
  }

  it('stops at the coast where the model had land, and covers land the model ignored (coastline action none)', async () => {
    // Stranding: the land pixels keep their colour but under the translucent dots (35 %, 2 × 2 px).
    expect(await bareLandFraction('stranding')).toBeGreaterThan(0.3);
    // 'none': particles drift over the drawn land, and their density is shaded there.
    expect(await bareLandFraction('none')).toBeLessThan(0.01);
  }, 60_000);
});

describe('map.png among the mission products', () => {
  const sha256 = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

  it('is written, listed in summary.json with its checksum, without an animation', async () => {
    const workDir = path.join(dir, 'no-animation');
    const out = await writeMissionProducts({
      result: cloud,
      ctx,
      workDir,
      cellM: 1000,
      percents: [50, 90, 95],
      animation: null,
      map: { land: DEFAULT_ANIMATION_LAND },
      timingsMs: {},
      warnings: [],
    });
    const map = out.products.find((p) => p.kind === 'map');
    expect(map?.relPath).toBe('products/map.png');
    expect(map?.sha256).toBe(sha256(path.join(workDir, 'products', 'map.png')));
    const summary = JSON.parse(readFileSync(path.join(workDir, 'products', 'summary.json'), 'utf8')) as { products: { path: string; sha256: string }[] };
    expect(summary.products.find((p) => p.path === 'products/map.png')?.sha256).toBe(map?.sha256);
    expect(out.products.some((p) => p.kind === 'animation')).toBe(false);
    expect(out.warnings.filter((w) => /map\.png/.test(w))).toEqual([]);
  }, 60_000);

  it('is not written when the products say so (map: null)', async () => {
    const workDir = path.join(dir, 'no-map');
    const out = await writeMissionProducts({ result: cloud, ctx, workDir, cellM: 1000, percents: [50], animation: null, map: null, timingsMs: {}, warnings: [] });
    expect(out.products.some((p) => p.kind === 'map')).toBe(false);
    expect(existsSync(path.join(workDir, 'products', 'map.png'))).toBe(false);
  }, 60_000);

  it('a failing ffmpeg mid-stream and an unwritable map.png give warnings; the other products are written', async () => {
    const workDir = path.join(dir, 'failing');
    // ffmpeg that reads ~1.5 frames then dies; map.png's path taken by a directory (rename fails).
    const fake = path.join(dir, 'dying-ffmpeg.sh');
    writeFileSync(fake, '#!/bin/sh\nhead -c 5000000 >/dev/null\necho "simulated crash" >&2\nexit 1\n');
    chmodSync(fake, 0o755);
    mkdirSync(path.join(workDir, 'products', 'map.png'), { recursive: true });
    const out = await writeMissionProducts({
      result: cloud,
      ctx,
      workDir,
      cellM: 1000,
      percents: [50, 90],
      animation: { ffmpegPath: fake, land: DEFAULT_ANIMATION_LAND },
      map: { land: DEFAULT_ANIMATION_LAND },
      timingsMs: {},
      warnings: [],
    });
    expect(out.warnings.some((w) => w.startsWith('animation failed:') && w.includes('simulated crash'))).toBe(true);
    expect(out.warnings.some((w) => w.startsWith('map.png failed:'))).toBe(true);
    const kinds = out.products.map((p) => p.kind);
    expect(kinds).not.toContain('animation');
    expect(kinds).not.toContain('map');
    expect(kinds).toEqual(expect.arrayContaining(['trajectory', 'density', 'search_areas_geojson', 'summary']));
    const summary = JSON.parse(readFileSync(path.join(workDir, 'products', 'summary.json'), 'utf8')) as { warnings: string[] };
    expect(summary.warnings.some((w) => w.startsWith('map.png failed:'))).toBe(true);
    expect(existsSync(path.join(workDir, 'products', 'map.png.tmp'))).toBe(false);
  }, 60_000);
});
