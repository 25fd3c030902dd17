// The basemap's land when the model's raster is one value everywhere (a constant forcing land mask, a
// coastline window with no coast): landSamples says so, and renderLand / landMaskOf fill instead of
// visiting every sample. The pixels must be those of the sample-by-sample path, byte for byte.
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
