import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Polygon } from 'geojson';
import { describe, expect, it } from 'vitest';
import { chosenBox, signedArea2, traceMask, type GridPolygon } from '../../src/search/trace.js';
import { at } from '../helpers/indexed.js';

function maskFrom(rows: string[]): { mask: Uint8Array; nx: number; ny: number } {
  // rows[0] is the northernmost row (as drawn); y grows northwards.
  const ny = rows.length;
  const nx = at(rows, 0).length;
  const mask = new Uint8Array(nx * ny);
  rows.forEach((row, r) => {
    for (let x = 0; x < nx; x++) if (row[x] === '#') mask[(ny - 1 - r) * nx + x] = 1;
  });
  return { mask, nx, ny };
}

function asPolygon(p: GridPolygon): Polygon {
  const ring = (r: Int32Array) => {
    const pts: number[][] = [];
    for (let k = 0; k < r.length; k += 2) pts.push([at(r, k), at(r, k + 1)]);
    pts.push(at(pts, 0));
    return pts;
  };
  return { type: 'Polygon', coordinates: [ring(p.outer), ...p.holes.map(ring)] };
}

function vertexKeys(r: Int32Array): string[] {
  const keys: string[] = [];
  for (let k = 0; k < r.length; k += 2) keys.push(`${r[k]},${r[k + 1]}`);
  return keys;
}

/** Every chosen cell centre in exactly one polygon, every other cell centre in none; rings simple and oriented. */
function expectExactCover(mask: Uint8Array, nx: number, ny: number, polys: GridPolygon[]): void {
  let area2 = 0;
  for (const p of polys) {
    expect(signedArea2(p.outer)).toBeGreaterThan(0); // counter-clockwise outer ring
    area2 += signedArea2(p.outer);
    for (const h of p.holes) {
      expect(signedArea2(h)).toBeLessThan(0); // clockwise hole
      area2 += signedArea2(h);
    }
    for (const r of [p.outer, ...p.holes]) {
      const keys = vertexKeys(r);
      expect(new Set(keys).size).toBe(keys.length); // simple: no vertex visited twice
    }
  }
  let chosen = 0;
  for (let y = 0; y < ny; y++) {
    for (let x = 0; x < nx; x++) {
      const isChosen = mask[y * nx + x] !== 0;
      if (isChosen) chosen++;
      const hits = polys.filter((p) => booleanPointInPolygon([x + 0.5, y + 0.5], asPolygon(p))).length;
      expect(hits).toBe(isChosen ? 1 : 0);
    }
  }
  // Area in cells (shoelace / 2) equals the number of chosen cells.
  expect(area2 / 2).toBe(chosen);
}

describe('traceMask', () => {
  it('outlines one cell as a counter-clockwise square with 4 corners', () => {
    const { mask, nx, ny } = maskFrom(['...', '.#.', '...']);
    const polys = traceMask(mask, nx, ny);
    expect(polys).toHaveLength(1);
    expect(Array.from(at(polys, 0).outer)).toEqual([1, 1, 2, 1, 2, 2, 1, 2]);
    expectExactCover(mask, nx, ny, polys);
  });

  it('keeps a hole as a clockwise inner ring and drops vertices on straight runs', () => {
    const { mask, nx, ny } = maskFrom(['#####', '#...#', '#.#.#', '#...#', '#####']);
    const polys = traceMask(mask, nx, ny);
    // Frame with a hole, plus the island in the hole.
    expect(polys).toHaveLength(2);
    const frame = polys.find((p) => p.holes.length === 1)!;
    expect(frame.outer.length / 2).toBe(4);
    expect(at(frame.holes, 0).length / 2).toBe(4);
    expectExactCover(mask, nx, ny, polys);
  });

  it('separates cells that touch only at a corner, and splits a ring that meets itself', () => {
    const diagonal = maskFrom(['.#', '#.']);
    const d = traceMask(diagonal.mask, diagonal.nx, diagonal.ny);
    expect(d).toHaveLength(2);
    expectExactCover(diagonal.mask, diagonal.nx, diagonal.ny, d);
    // A "C" whose ends touch at one corner: a ring that would pass that vertex twice.
    const c = maskFrom(['###', '#.#', '##.']);
    const cp = traceMask(c.mask, c.nx, c.ny);
    expectExactCover(c.mask, c.nx, c.ny, cp);
  });

  it('covers random masks exactly (200 masks, 12 × 9 cells, 50 % fill)', () => {
    let seed = 12345;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let k = 0; k < 200; k++) {
      const nx = 12;
      const ny = 9;
      const mask = new Uint8Array(nx * ny);
      for (let c = 0; c < mask.length; c++) mask[c] = rand() < 0.5 ? 1 : 0;
      expectExactCover(mask, nx, ny, traceMask(mask, nx, ny));
    }
  });

  it('random masks inside a corner of the grid: traced on their own box, in grid coordinates, the same with any box that holds them', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const asArrays = (polys: GridPolygon[]) => polys.map((p) => [Array.from(p.outer), p.holes.map((h) => Array.from(h))]);
    for (let k = 0; k < 100; k++) {
      const nx = 16;
      const ny = 12;
      const mask = new Uint8Array(nx * ny);
      // Cells in columns 5..10 and rows 3..8 only, so the box is smaller than the grid on every side.
      for (let y = 3; y <= 8; y++) for (let x = 5; x <= 10; x++) mask[y * nx + x] = rand() < 0.55 ? 1 : 0;
      const polys = traceMask(mask, nx, ny);
      expectExactCover(mask, nx, ny, polys);
      const box = chosenBox(mask, nx, ny);
      if (box === null) continue;
      expect(box.xLo).toBeGreaterThanOrEqual(5);
      expect(box.yHi).toBeLessThanOrEqual(8);
      expect(asArrays(traceMask(mask, nx, ny, 0, nx, box))).toEqual(asArrays(polys));
      expect(asArrays(traceMask(mask, nx, ny, 0, nx, { xLo: 2, xHi: 13, yLo: 1, yHi: 10 }))).toEqual(asArrays(polys));
    }
    expect(chosenBox(new Uint8Array(12), 4, 3)).toBeNull();
    expect(traceMask(new Uint8Array(12), 4, 3)).toEqual([]);
  });

  it('traces only the columns asked for', () => {
    const { mask, nx, ny } = maskFrom(['####']);
    const polys = traceMask(mask, nx, ny, 1, 3);
    expect(polys).toHaveLength(1);
    expect(Array.from(at(polys, 0).outer)).toEqual([1, 0, 3, 0, 3, 1, 1, 1]);
  });
});
