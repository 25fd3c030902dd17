/**
 * The tiled coastline (src/land/tiles.ts, tile-file.ts, tiled.ts, tile-cache.ts): what missions use.
 * Its cells must be exactly the source polygons rasterised on the fixed 1/480° lattice by the same
 * scanline fill as the per-window rasters (src/land/rasterise.ts), tile by tile, flag by flag.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DriftlineError } from '../../src/errors.js';
import { loadCoastline, missionCoastline, type LonLatBounds } from '../../src/land/coastline.js';
import { nearestWater } from '../../src/land/nearest.js';
import { rasterisePolygons } from '../../src/land/rasterise.js';
import { cellReader, createLandSampler } from '../../src/land/sampler.js';
import { closeLandTiles, landTiles, tileFileFor } from '../../src/land/tile-cache.js';
import { TileFile } from '../../src/land/tile-file.js';
import { tiledLandRaster, windowTiles } from '../../src/land/tiled.js';
import { CELLS_PER_DEG, TILE_BYTES, TILE_LAND, TILE_WATER } from '../../src/land/tiles.js';
import type { CoastlineSource } from '../../src/land/sources.js';
import type { LandRaster } from '../../src/land/types.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/land');

/** Every cell of a tiled raster vs the source polygons rasterised on the same cells: the count that differ. */
function diffWithPolygons(r: LandRaster, source: CoastlineSource): { differ: number; land: number } {
  const grid = { westDeg: r.westDeg, southDeg: r.southDeg, dLonDeg: r.dLonDeg, dLatDeg: r.dLatDeg, nx: r.nx, ny: r.ny };
  const ref = new Uint8Array(r.nx * r.ny);
  rasterisePolygons(loadCoastline(source), grid, ref);
  const read = cellReader(r);
  let differ = 0;
  let land = 0;
  for (let j = 0; j < r.ny; j++) {
    for (let i = 0; i < r.nx; i++) {
      const v = read(i, j);
      land += v;
      if (v !== ref[j * r.nx + i]) differ++;
    }
  }
  return { differ, land };
}

// Building the default tile file on a machine without one takes ~20 s of CPU (up to a minute on the
// shared 2-core machine); `npm run build` builds it beforehand.
const BUILD_TIMEOUT_MS = 300_000;

describe('tiled OSM coastline (the default)', () => {
  let file: TileFile;
  beforeAll(async () => {
    file = await landTiles('osm-seas-10m');
  }, BUILD_TIMEOUT_MS);

  it('Rogaland (6 tiles of skerries and fjords): every cell equals the polygons rasterised on the 1/480° lattice', async () => {
    const r = await missionCoastline({ westDeg: 4.2, eastDeg: 6.8, southDeg: 58.2, northDeg: 59.8 });
    expect(r.tiles).toBeDefined();
    expect([r.westDeg, r.southDeg, r.nx, r.ny]).toEqual([4, 58, 3 * 480, 2 * 480]);
    expect(r.dLatDeg).toBe(1 / CELLS_PER_DEG);
    expect(r.dLonDeg).toBe(1 / CELLS_PER_DEG);
    const { differ, land } = diffWithPolygons(r, 'osm-seas-10m');
    expect(differ).toBe(0);
    expect(land / (r.nx * r.ny)).toBeGreaterThan(0.2); // really mixed
    expect(land / (r.nx * r.ny)).toBeLessThan(0.8);
  });

  // The same facts of geography as land-coastline.test.ts, each > 160 m (half a cell diagonal) from the coast.
  const places: Array<[string, number, number, boolean]> = [
    ['Oslo centre', 10.75, 59.91, true],
    ['North Sea 56N 3E', 3, 56, false],
    ['Utsira island', 4.883, 59.307, true],
    ['2 km west of Utsira', 4.84, 59.307, false],
    ['Karmøy inland', 5.22, 59.25, true],
    ['~600 m off Karmøy west coast', 5.17, 59.25, false],
    ['Stavanger, Jæren inland', 5.75, 58.75, true],
  ];
  it.each(places)('%s (%f, %f) is land: %s', async (_name, lon, lat, isLand) => {
    const r = await missionCoastline({ westDeg: 2, eastDeg: 12, southDeg: 55, northDeg: 61 });
    expect(createLandSampler(r).isLand(lon, lat)).toBe(isLand);
  });

  it('an open-ocean window is one water cell: no tile read, no memory', async () => {
    // Mid-Atlantic, 34–38° W 28–32° N: no island within the window.
    const bounds = { westDeg: -38, eastDeg: -34, southDeg: 28, northDeg: 32 };
    const { tx0, ntx, ty0, nty } = windowTiles(bounds);
    for (let b = 0; b < nty; b++) for (let a = 0; a < ntx; a++) expect(file.kind(tx0 + a, ty0 + b)).toBe(TILE_WATER);
    const r = await missionCoastline(bounds);
    expect(r.tiles).toBeUndefined();
    expect([r.nx, r.ny, r.data.byteLength, r.outside]).toEqual([1, 1, 1, 0]);
    expect(createLandSampler(r).isLand(-36, 30)).toBe(false);
    expect(r.source).toMatch(/no coast/);
  });

  it('holds only the coastal tiles: whole-land tiles are flags (Sweden inland, 15–16° E 61–62° N)', async () => {
    expect(file.kind(180 + 15, 90 + 61)).toBe(TILE_LAND);
    const r = await missionCoastline({ westDeg: 14.5, eastDeg: 16.5, southDeg: 60.5, northDeg: 62.5 });
    const index = new Int32Array(r.tiles!.index);
    const coastal = index.filter((e) => e >= 0).length;
    expect(r.tiles!.bits.byteLength).toBe(coastal * TILE_BYTES);
    expect(index).toContain(TILE_LAND);
    expect(createLandSampler(r).isLand(15.5, 61.5)).toBe(true);
  });

  it('Fiji across 180°: the three ways of writing the window give the same cells, and known places', async () => {
    const a = await missionCoastline({ westDeg: 176, eastDeg: -178, southDeg: -20, northDeg: -15 });
    const b = await missionCoastline({ westDeg: 176, eastDeg: 182, southDeg: -20, northDeg: -15 });
    const c = await missionCoastline({ westDeg: -184, eastDeg: -178, southDeg: -20, northDeg: -15 });
    for (const r of [b, c]) {
      expect([r.westDeg, r.nx, r.ny]).toEqual([a.westDeg, a.nx, a.ny]);
      expect(Buffer.from(r.tiles!.index).equals(Buffer.from(a.tiles!.index))).toBe(true);
      expect(Buffer.from(r.tiles!.bits).equals(Buffer.from(a.tiles!.bits))).toBe(true);
    }
    expect(a.westDeg).toBe(176);
    const s = createLandSampler(a);
    expect(s.isLand(178.05, -17.8)).toBe(true); // Viti Levu
    expect(s.isLand(-179.95, -16.85)).toBe(true); // Taveuni, east of 180°
    expect(s.isLand(180.05, -16.85)).toBe(true); // the same, written east of 180
    expect(s.isLand(179.95, -16.85)).toBe(false); // Somosomo Strait
    expect(s.isLand(-179.5, -19.5)).toBe(false); // open sea south of Lau
    // Columns either side of 180° agree with the polygons too (the seam).
    const seam = await missionCoastline({ westDeg: 179.5, eastDeg: -179.5, southDeg: -17, northDeg: -16.5 });
    expect(diffWithPolygons(seam, 'osm-seas-10m').differ).toBe(0);
  });

  it('a window over the tile budget gets coarser plain cells, each the lattice cell under its centre', async () => {
    const bounds = { westDeg: 4, eastDeg: 8, southDeg: 58, northDeg: 61 };
    // One more tile each way: the coarse grid's last cells reach past `bounds` (it rounds up).
    const fine = await missionCoastline({ westDeg: 3, eastDeg: 9, southDeg: 57, northDeg: 62 });
    const coarse = tiledLandRaster(bounds, file, 'test', 200_000); // 12 tiles, most coastal: > 200 kB of bits
    expect(coarse.tiles).toBeUndefined();
    expect(coarse.nx * coarse.ny).toBeLessThanOrEqual(200_000);
    expect(coarse.dLatDeg).toBeGreaterThan(1 / CELLS_PER_DEG);
    const s = createLandSampler(fine);
    const cells = new Uint8Array(coarse.data);
    let land = 0;
    for (let j = 0; j < coarse.ny; j++) {
      for (let i = 0; i < coarse.nx; i++) {
        const v = s.isLand(coarse.westDeg + (i + 0.5) * coarse.dLonDeg, coarse.southDeg + (j + 0.5) * coarse.dLatDeg) ? 1 : 0;
        expect(cells[j * coarse.nx + i]).toBe(v);
        land += v;
      }
    }
    expect(land).toBeGreaterThan(0.2 * coarse.nx * coarse.ny);
  });

  it('nearestWater gives the same answers on the tiled raster as on the same cells stored plainly', async () => {
    const r = await missionCoastline({ westDeg: 5, eastDeg: 5.99, southDeg: 59, northDeg: 59.99 });
    const read = cellReader(r);
    const data = new ArrayBuffer(r.nx * r.ny);
    const plainCells = new Uint8Array(data);
    for (let j = 0; j < r.ny; j++) for (let i = 0; i < r.nx; i++) plainCells[j * r.nx + i] = read(i, j);
    const plain: LandRaster = { westDeg: r.westDeg, southDeg: r.southDeg, dLonDeg: r.dLonDeg, dLatDeg: r.dLatDeg, nx: r.nx, ny: r.ny, data, outside: 0, source: 'plain' };
    let onLand = 0;
    for (let k = 0; k < 200; k++) {
      const lon = 5.05 + 0.9 * ((k * 0.618034) % 1);
      const lat = 59.05 + 0.9 * ((k * 0.754878) % 1);
      if (createLandSampler(r).isLand(lon, lat)) onLand++;
      expect(nearestWater(r, lon, lat)).toEqual(nearestWater(plain, lon, lat));
    }
    expect(onLand).toBeGreaterThan(20);
  });
});

describe('tiled COASTLINE_FILE', () => {
  const file = path.join(fixtures, 'custom-islands.geojson');
  let cacheDir: string;
  beforeAll(() => {
    cacheDir = mkdtempSync(path.join(os.tmpdir(), 'driftline-land-test-'));
  });
  afterAll(async () => {
    await closeLandTiles();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('its islands, lagoon, overlap and antimeridian ring, cell for cell as the polygons on the lattice', async () => {
    const source = { file };
    const mid = await missionCoastline({ westDeg: -31, eastDeg: -27, southDeg: -1, northDeg: 2 }, { source, cacheDir });
    const s = createLandSampler(mid);
    expect(s.isLand(-29.8, 0.2)).toBe(true); // the square island
    expect(s.isLand(-29.5, 0.5)).toBe(false); // its lagoon (a hole)
    expect(s.isLand(-29.1, 0.85)).toBe(true); // where the two squares overlap: OR, not even-odd
    expect(s.isLand(-28.5, 1.5)).toBe(true); // second square only
    expect(s.isLand(-30.5, 0.5)).toBe(false);
    expect(diffWithPolygons(mid, source).differ).toBe(0);
    const dateLine = await missionCoastline({ westDeg: 178, eastDeg: -178, southDeg: -41, northDeg: -38 }, { source, cacheDir });
    const d = createLandSampler(dateLine);
    expect([d.isLand(179.8, -39.5), d.isLand(-179.8, -39.5), d.isLand(179.3, -39.5), d.isLand(-179.3, -39.5)]).toEqual([true, true, false, false]);
    expect(diffWithPolygons(dateLine, source).differ).toBe(0);
    // Far from the file's polygons: open water, no tile held.
    expect((await missionCoastline({ westDeg: 4, eastDeg: 6, southDeg: 59, northDeg: 61 }, { source, cacheDir })).nx).toBe(1);
  });

  it("insideIs: 'water' tiles the complement", async () => {
    const r = await missionCoastline({ westDeg: -31, eastDeg: -27, southDeg: -1, northDeg: 2 }, { source: { file, insideIs: 'water' }, cacheDir });
    const s = createLandSampler(r);
    expect(s.isLand(-29.8, 0.2)).toBe(false);
    expect(s.isLand(-30.5, 0.5)).toBe(true);
  });

  it('is keyed by the file bytes: an edited file is tiled again, an old tile file is never read for it', async () => {
    const copy = path.join(cacheDir, 'islands.geojson');
    copyFileSync(file, copy);
    const before = await tileFileFor({ file: copy }, cacheDir);
    writeFileSync(copy, JSON.stringify({ type: 'Polygon', coordinates: [[[10, 10], [11, 10], [11, 11], [10, 11], [10, 10]]] }));
    const after = await tileFileFor({ file: copy }, cacheDir);
    expect(after.path).not.toBe(before.path);
    expect(after.key).not.toBe(before.key);
    const r = await missionCoastline({ westDeg: 9, eastDeg: 12, southDeg: 9, northDeg: 12 }, { source: { file: copy }, cacheDir });
    expect(createLandSampler(r).isLand(10.5, 10.5)).toBe(true);
    // A tile file opened with another source's key is refused (it would be rebuilt).
    const built = readdirSync(cacheDir).filter((f) => f.endsWith('.tiles'));
    expect(built.length).toBeGreaterThanOrEqual(2);
    expect(TileFile.open(after.path, before.key)).toBeNull();
  });

  it('a missing or line-only file is a configuration error naming COASTLINE_FILE', async () => {
    const missing = missionCoastline({ westDeg: 0, eastDeg: 1, southDeg: 0, northDeg: 1 } as LonLatBounds, { source: { file: path.join(fixtures, 'nope.geojson') }, cacheDir });
    await expect(missing).rejects.toThrow(DriftlineError);
    await expect(missing).rejects.toThrow(/COASTLINE_FILE: cannot read/);
    const lines = missionCoastline({ westDeg: 0, eastDeg: 1, southDeg: 0, northDeg: 1 }, { source: { file: path.join(fixtures, 'coastline-lines.geojson') }, cacheDir });
    await expect(lines).rejects.toMatchObject({ code: 'E_CONFIG', field: 'COASTLINE_FILE', message: expect.stringMatching(/LineString/) });
  });
});
