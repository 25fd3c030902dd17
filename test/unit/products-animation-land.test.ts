// The basemap's land. When the model's raster is one value everywhere (a constant forcing land mask, a
// coastline window with no coast): landSamples says so, and renderLand / landMaskOf fill instead of
// visiting every sample. The pixels must be those of the sample-by-sample path, byte for byte. With a
// patterned raster, each sample is the cell under its point and a pixel is land when most samples are.
import { describe, expect, it } from 'vitest';
import { landMaskOf, landSamples, renderLand } from '../../src/products/animation/land.js';
import type { MapView } from '../../src/products/animation/view.js';
import type { LandRaster } from '../../src/land/types.js';

const view: MapView = {
  box: { x: 0, y: 0, w: 64, h: 40 },
  westDeg: 4,
  eastDeg: 6,
  southDeg: 59,
  northDeg: 60,
  centreLonDeg: 5,
  pxPerDegLon: 32,
  pxPerDegLat: 40,
  pxPerKm: 0.36,
};

function plainRaster(cells: number[], nx: number, outside: 0 | 1): LandRaster {
  return { westDeg: 4.5, southDeg: 59.2, dLonDeg: 1 / nx, dLatDeg: 0.5, nx, ny: cells.length / nx, outside, data: Uint8Array.from(cells).buffer, source: 'test' };
}

describe('uniform land', () => {
  for (const [name, raster, value] of [
    ['constant water mask', plainRaster([0], 1, 0), 0],
    ['constant land mask, land outside', plainRaster([1], 1, 1), 1],
    ['all-water tiles', { ...plainRaster([], 1, 0), nx: 4, ny: 4, data: new ArrayBuffer(0), tiles: { tileCells: 2, ntx: 2, nty: 2, index: Int32Array.of(-1, -1, -1, -1).buffer, bits: new ArrayBuffer(0) } }, 0],
  ] as const) {
    it(`${name}: the same pixels and mask as sampling every point`, () => {
      const samples = landSamples(view, { raster, rasterFrom: 'forcing', source: 'osm-seas-10m' });
      expect(samples.uniform).toBe(value);
      expect(samples.values.every((v) => v === value)).toBe(true);
      const { uniform: _, ...bySample } = samples;
      expect(renderLand(view, samples)).toEqual(renderLand(view, bySample));
      expect(landMaskOf(view, samples)).toEqual(landMaskOf(view, bySample));
    });
  }

  it('is not claimed when a cell differs from the outside', () => {
    expect(landSamples(view, { raster: plainRaster([0], 1, 1), rasterFrom: 'forcing', source: 'osm-seas-10m' }).uniform).toBeUndefined();
    expect(landSamples(view, { raster: plainRaster([0, 1, 0, 0], 2, 0), rasterFrom: 'forcing', source: 'osm-seas-10m' }).uniform).toBeUndefined();
  });
});

describe('land of a patterned raster', () => {
  // 7 × 5 cells of 0.1° × 0.1° (a few sample rows and columns per cell, as at a mission's zoom), partly
  // outside the view, with land outside: every sample must be the cell under its centre, as the model's
  // sampler reads it, whether the row was read or copied from the row above (same cell row).
  const nx = 7;
  const cells = Array.from({ length: nx * 5 }, (_, k) => ((k * 7919) % 5 < 2 ? 1 : 0));
  const raster: LandRaster = { westDeg: 4.55, southDeg: 59.3, dLonDeg: 0.1, dLatDeg: 0.1, nx, ny: 5, outside: 1, data: Uint8Array.from(cells).buffer, source: 'test' };
  const S = 3;
  const cellAt = (lon: number, lat: number): number => {
    const i = Math.floor((lon - raster.westDeg) / raster.dLonDeg);
    const j = Math.floor((lat - raster.southDeg) / raster.dLatDeg);
    return i >= 0 && i < nx && j >= 0 && j < raster.ny ? (cells[j * nx + i] ?? -1) : raster.outside;
  };

  it('samples the cell under each sample point, and masks a pixel as land when most of its samples are', () => {
    const samples = landSamples(view, { raster, rasterFrom: 'forcing', source: 'osm-seas-10m' });
    expect(samples.uniform).toBeUndefined();
    const w = S * view.box.w;
    const h = S * view.box.h;
    const expected = new Uint8Array(w * h);
    for (let r = 0; r < h; r++) {
      for (let c = 0; c < w; c++) {
        expected[r * w + c] = cellAt(view.westDeg + (c + 0.5) / (S * view.pxPerDegLon), view.northDeg - (r + 0.5) / (S * view.pxPerDegLat));
      }
    }
    expect(samples.values).toEqual(expected);
    expect(new Set(samples.values)).toEqual(new Set([0, 1]));
    const mask = landMaskOf(view, samples);
    for (let y = 0; y < view.box.h; y++) {
      for (let x = 0; x < view.box.w; x++) {
        let land = 0;
        for (let dy = 0; dy < S; dy++) for (let dx = 0; dx < S; dx++) land += expected[(y * S + dy) * w + x * S + dx] ?? 0;
        expect(mask[y * view.box.w + x], `pixel ${x},${y}`).toBe(land > (S * S) / 2 ? 1 : 0);
      }
    }
    // renderLand and landMaskOf share one coverage count: asking again gives the same pixels.
    expect(renderLand(view, samples)).toEqual(renderLand(view, { ...samples }));
  });
});

