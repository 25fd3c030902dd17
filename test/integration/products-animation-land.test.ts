/**
 * The animation's basemap shows the land the model used: frames decoded by the real ffmpeg are
 * compared, point by point, with the model's own land look-up (createLandSampler on the raster
 * missionLand() builds, i.e. what src/mission/run.ts gives both simulate() and writeAnimation()).
 * A basemap from any other coastline (e.g. Natural Earth, as before) fails these tests.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Feature, Polygon } from 'geojson';
import { afterAll, describe, expect, it } from 'vitest';
import { createLandSampler } from '../../src/land/sampler.js';
import type { LandRaster } from '../../src/land/types.js';
import { animationView, findFfmpeg, writeAnimation, type AnimationLand } from '../../src/products/animation/index.js';
import { buildDensityGrid } from '../../src/products/density-grid.js';
import { landLabel } from '../../src/products/animation/land.js';
import { missionLand } from '../../src/mission/land.js';
import { seededContext, syntheticCloud } from '../unit/products.fixtures.js';
import { decodeFrameRgb } from '../helpers/frames.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-anim-land-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ffmpeg = findFfmpeg({ FFMPEG_PATH: undefined });
const W = 1280;
const H = 720;
const M_PER_DEG_LAT = 111_320;

// Seed at 4.00°E 60.00°N, the cloud (σ 150 m, 3 steps, not moving) at 4.25°E 60.10°N: the view spans
// both, ~16 km × 12 km at ~55 px/km, and most of it holds no particle.
const SEED = { lonDeg: 4.0, latDeg: 60.0 };
const CLOUD = { lonDeg: 4.25, latDeg: 60.1 };
const cloud = syntheticCloud({ nParticles: 40, nTimes: 3, lon0Deg: CLOUD.lonDeg, lat0Deg: CLOUD.latDeg, sigma0M: 150, sigmaGrowthMPerStep: 0 });
const ctx = seededContext({ ...SEED, missionId: 'anim-land-test' });
const view = animationView(cloud, ctx, W, H);

// A user coastline file (land polygons): a strip of "mainland" between the seed and the cloud, with a
// lake, and a triangular island south-west of the cloud. Nothing like Natural Earth's or OSM's coast.
const mainland: Polygon = {
  type: 'Polygon',
  coordinates: [
    [[4.1, 59.9], [4.18, 59.9], [4.14, 60.2], [4.1, 60.2], [4.1, 59.9]],
    [[4.115, 60.0], [4.115, 60.02], [4.13, 60.02], [4.13, 60.0], [4.115, 60.0]],
  ],
};
const island: Polygon = { type: 'Polygon', coordinates: [[[4.2, 60.04], [4.23, 60.04], [4.215, 60.065], [4.2, 60.04]]] };
const coastFile = path.join(dir, 'coast.geojson');
writeFileSync(
  coastFile,
  JSON.stringify({ type: 'FeatureCollection', features: [mainland, island].map((geometry) => ({ type: 'Feature', properties: {}, geometry })) }),
);

async function renderFrame0(name: string, land: AnimationLand): Promise<Buffer> {
  const file = path.join(dir, name, 'animation.mp4');
  mkdirSync(path.dirname(file), { recursive: true });
  await writeAnimation(cloud, ctx, file, { ffmpegPath: ffmpeg!, land });
  return decodeFrameRgb(ffmpeg!, file, 0, W, H);
}

const lonOfPx = (x: number) => view.westDeg + (x + 0.5 - view.box.x) / view.pxPerDegLon;
const latOfPx = (y: number) => view.northDeg - (y + 0.5 - view.box.y) / view.pxPerDegLat;

/** Pixels far from anything drawn over the basemap (particles, shading, datum, seed, scale bar, frame). */
function basemapOnly(x: number, y: number): boolean {
  const { box } = view;
  if (x < box.x + 4 || x >= box.x + box.w - 4 || y < box.y + 4 || y >= box.y + box.h - 4) return false;
  if (x < box.x + 0.4 * box.w && y > box.y + box.h - 80) return false; // scale bar panel
  const km = (lon: number, lat: number) =>
    Math.hypot((lonOfPx(x) - lon) * Math.cos((lat * Math.PI) / 180), latOfPx(y) - lat) * (M_PER_DEG_LAT / 1000);
  // Particles lie within 4σ = 0.6 km of the centre; the 1 km density cells holding them reach ≤ 2.1 km.
  if (km(CLOUD.lonDeg, CLOUD.latDeg) < 2.5) return false;
  return km(SEED.lonDeg, SEED.latDeg) * view.pxPerKm > 20; // the seed star is 9 px in radius
}

/**
 * Compares the frame with `isLand` on a 7-px grid of points at least 4 px from any land/sea change
 * (yuv420p halves colour resolution and the coast line is drawn there). Sea is bluish (B − R = +29),
 * land grey (−8), coast darker grey (−13), graticule over either keeps that sign: threshold +10.
 */
function compare(rgb: Buffer, isLand: (lonDeg: number, latDeg: number) => boolean) {
  const { box } = view;
  const out = { land: 0, sea: 0, wrong: [] as string[] };
  for (let y = box.y; y < box.y + box.h; y += 7) {
    for (let x = box.x; x < box.x + box.w; x += 7) {
      if (!basemapOnly(x, y)) continue;
      const expected = isLand(lonOfPx(x), latOfPx(y));
      let nearChange = false;
      for (const [dx, dy] of [[-4, 0], [4, 0], [0, -4], [0, 4], [-4, -4], [4, 4], [-4, 4], [4, -4]] as const) {
        if (isLand(lonOfPx(x + dx), latOfPx(y + dy)) !== expected) nearChange = true;
      }
      if (nearChange) continue;
      const i = (y * W + x) * 3;
      const drawnLand = at(rgb, i + 2) - at(rgb, i) < 10;
      if (expected) out.land++;
      else out.sea++;
      if (drawnLand !== expected) {
        out.wrong.push(`(${x}, ${y}) ${lonOfPx(x).toFixed(4)}°E ${latOfPx(y).toFixed(4)}°N rgb ${rgb[i]},${rgb[i + 1]},${rgb[i + 2]} expected ${expected ? 'land' : 'sea'}`);
      }
    }
  }
  return out;
}

describe('animation view', () => {
  it('is the same whether the run extent comes from the density grid or a fresh scan of the run', () => {
    expect(animationView(cloud, ctx, W, H, buildDensityGrid(cloud, 1000))).toEqual(view);
  });
});

describe('animation basemap = the model’s land', () => {
  it('draws the cells of the raster the model ran with (user coastline file via missionLand)', async () => {
    expect(ffmpeg).not.toBeNull();
    const source = { file: coastFile };
    const raster = await missionLand(ctx.model, null, { source });
    expect(raster).not.toBeNull();
    const rgb = await renderFrame0('coastline', { raster, rasterFrom: 'coastline', source });
    const model = createLandSampler(raster!);
    const r = compare(rgb, (lon, lat) => model.isLand(lon, lat));
    expect(r.wrong.slice(0, 5)).toEqual([]);
    // The strip, lake and island put both kinds well inside the view (~300 land and ~5000 sea points).
    expect(r.land).toBeGreaterThan(150);
    expect(r.sea).toBeGreaterThan(1000);
  });

  it('follows the raster, not the polygons, when they differ (a forcing land mask)', async () => {
    // A 5 × 4 checkerboard over the view: land where the polygons have sea and the other way round.
    const nx = 5;
    const ny = 4;
    const data = new ArrayBuffer(nx * ny);
    const cells = new Uint8Array(data);
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) cells[j * nx + i] = (i + j) % 2;
    const raster: LandRaster = {
      westDeg: view.westDeg,
      southDeg: view.southDeg,
      dLonDeg: (view.eastDeg - view.westDeg) / nx,
      dLatDeg: (view.northDeg - view.southDeg) / ny,
      nx,
      ny,
      data,
      outside: 0,
      source: 'test checkerboard',
    };
    const rgb = await renderFrame0('forcing', { raster, rasterFrom: 'forcing', source: { file: coastFile }, forcingLabel: 'mask.nc' });
    const model = createLandSampler(raster);
    const r = compare(rgb, (lon, lat) => model.isLand(lon, lat));
    expect(r.wrong.slice(0, 5)).toEqual([]);
    // Half the checkerboard is land: thousands of points of each.
    expect(r.land).toBeGreaterThan(1000);
    expect(r.sea).toBeGreaterThan(1000);
  });

  it('draws the source polygons (holes as water) when the model ran without land', async () => {
    const rgb = await renderFrame0('none', { raster: null, rasterFrom: 'coastline', source: { file: coastFile } });
    const features: Feature<Polygon>[] = [mainland, island].map((geometry) => ({ type: 'Feature', properties: {}, geometry }));
    const truth = (lon: number, lat: number) => features.some((f) => booleanPointInPolygon([lon, lat], f));
    const r = compare(rgb, truth);
    expect(r.wrong.slice(0, 5)).toEqual([]);
    expect(r.land).toBeGreaterThan(150);
    // The lake (0.015° × 0.02°, ~0.8 km × 2.2 km) is inside the view and drawn as water.
    expect(truth(4.122, 60.01)).toBe(false);
    const x = Math.floor(view.box.x + (4.122 - view.westDeg) * view.pxPerDegLon);
    const y = Math.floor(view.box.y + (view.northDeg - 60.01) * view.pxPerDegLat);
    expect(x).toBeGreaterThan(view.box.x);
    expect(at(rgb, (y * W + x) * 3 + 2) - at(rgb, (y * W + x) * 3)).toBeGreaterThan(10);
  });
});

describe('landLabel (footer)', () => {
  const raster: LandRaster = {
    westDeg: 0, southDeg: 50, dLonDeg: 1 / 240, dLatDeg: 1 / 480, nx: 10, ny: 10, data: new ArrayBuffer(100), outside: 0, source: 'x',
  };

  it('names the OpenStreetMap source with the model’s cell size and the ODbL attribution', () => {
    expect(landLabel({ raster, rasterFrom: 'coastline', source: 'osm-seas-10m' }, false)).toEqual([
      "Coastline: OpenStreetMap, model's 232 m cells",
      '© OpenStreetMap contributors',
    ]);
  });

  it('names a forcing mask, a constant mask, a user file and a run that ignored land', () => {
    expect(landLabel({ raster, rasterFrom: 'forcing', source: 'osm-seas-10m', forcingLabel: 's3://b/mask.nc' }, false)).toEqual([
      'Land: forcing land mask, 232 m cells',
      's3://b/mask.nc',
    ]);
    const constant: LandRaster = { ...raster, nx: 1, ny: 1, dLonDeg: 360, dLatDeg: 180 };
    expect(landLabel({ raster: constant, rasterFrom: 'forcing', source: 'osm-seas-10m', forcingLabel: 'constant land_binary_mask 0' }, false)).toEqual([
      'Land: constant land_binary_mask 0 (forcing)',
    ]);
    expect(landLabel({ raster, rasterFrom: 'coastline', source: { file: '/data/coast/norway.geojson' } }, false)).toEqual([
      "Coastline: norway.geojson, model's 232 m cells",
    ]);
    expect(landLabel({ raster: null, rasterFrom: 'coastline', source: 'natural-earth-10m' }, true)).toEqual([
      'Coastline: Natural Earth 1:10m (ignored by the model)',
    ]);
  });
});
