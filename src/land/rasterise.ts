/**
 * Scanline fill of a PolygonSet into a lon/lat byte raster. Pure: no I/O.
 *
 * A cell takes the value of its centre (point sampling), so the raster's coast lies within half a
 * cell diagonal of the polygon edge. Each polygon (outer ring + holes) is filled even-odd on its own
 * and the polygons are OR-ed, so overlapping polygons in a user file (tiles, countries) still read
 * as one area instead of cancelling out.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import type { LonLatCellGrid } from '../model/geo.js';
import { bandOf, type PolygonSet } from './polygons.js';

/** The raster's cells; westDeg in [-180, 180), columns run east and may pass 180. */
export type RasterGrid = LonLatCellGrid;

/** Longitude shifts tried for every filled span: the data lie in about [-180, 180] (unwrapped rings a
 * little beyond), the raster in [west, west + 360) with west in [-180, 180). */
const SHIFTS_DEG = [-360, 0, 360] as const;

/** Fills `out` (ny * nx bytes, row-major from the south-west corner) with 1 = land, 0 = water. */
export function rasterisePolygons(set: PolygonSet, grid: RasterGrid, out: Uint8Array): void {
  const { westDeg, southDeg, dLonDeg, dLatDeg, nx, ny } = grid;
  if (out.length < nx * ny) throw new RangeError(`raster buffer holds ${out.length} bytes, needs ${nx * ny}`);
  const inside = set.insideIsLand ? 1 : 0;
  out.fill(1 - inside, 0, nx * ny);
  const { xs, ys, polyOf, bandStart, bandEdges } = set;
  let crossX: Float64Array = new Float64Array(1024);
  let crossPoly: Uint32Array = new Uint32Array(1024);

  for (let j = 0; j < ny; j++) {
    const latDeg = southDeg + (j + 0.5) * dLatDeg;
    const b = bandOf(latDeg);
    let n = 0;
    // Indices are checked rather than defaulted to NaN, so they stay small integers for V8.
    const kEnd = bandStart[b + 1];
    for (let k = bandStart[b] ?? 0; kEnd !== undefined && k < kEnd; k++) {
      const v = bandEdges[k];
      if (v === undefined) break;
      const y0 = ys[v] ?? NaN;
      const y1 = ys[v + 1] ?? NaN;
      // Half-open rule: a vertex exactly on the row counts for one of its two edges only.
      if (y0 <= latDeg === y1 <= latDeg) continue;
      if (n === crossX.length) {
        crossX = grow(crossX);
        crossPoly = growU32(crossPoly);
      }
      const x0 = xs[v] ?? NaN;
      crossX[n] = x0 + ((latDeg - y0) * ((xs[v + 1] ?? NaN) - x0)) / (y1 - y0);
      crossPoly[n] = polyOf[v] ?? NaN;
      n++;
    }
    const rowOffset = j * nx;
    // Crossings of one polygon are contiguous (edges are indexed in vertex order).
    for (let g = 0; g < n; ) {
      const poly = crossPoly[g];
      let h = g + 1;
      while (h < n && crossPoly[h] === poly) h++;
      const xsOfPoly = crossX.subarray(g, h);
      xsOfPoly.sort();
      for (let p = 0; p + 1 < xsOfPoly.length; p += 2) {
        for (const shift of SHIFTS_DEG) {
          // Columns whose centre lies in [a, b): i + 0.5 >= (a - west) / dLon.
          const i0 = Math.max(0, Math.ceil(((xsOfPoly[p] ?? NaN) + shift - westDeg) / dLonDeg - 0.5));
          const i1 = Math.min(nx, Math.ceil(((xsOfPoly[p + 1] ?? NaN) + shift - westDeg) / dLonDeg - 0.5));
          if (i0 < i1) out.fill(inside, rowOffset + i0, rowOffset + i1);
        }
      }
      g = h;
    }
  }
}

function grow(a: Float64Array): Float64Array {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

function growU32(a: Uint32Array): Uint32Array {
  const b = new Uint32Array(a.length * 2);
  b.set(a);
  return b;
}
