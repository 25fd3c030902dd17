import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DriftlineError } from '../../src/errors.js';
import {
  coastlineGrid,
  coastlineLandRaster,
  coastlineSourceFromConfig,
  DEFAULT_CELL_DEG,
  MAX_RASTER_CELLS,
  windowBounds,
} from '../../src/land/coastline.js';
import { createLandSampler } from '../../src/land/sampler.js';
import type { LandRaster } from '../../src/land/types.js';
import { M_PER_DEG, sourceTruth, type SourceTruth, type Window } from './land-source.fixtures.js';
import { at } from '../helpers/indexed.js';

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/land');

/** Half the diagonal of a raster cell at `latDeg`, in metres: the farthest a point is from its cell centre. */
function halfDiagonalM(r: LandRaster, latDeg: number): number {
  const wM = r.dLonDeg * M_PER_DEG * Math.cos((latDeg * Math.PI) / 180);
  return 0.5 * Math.hypot(wM, r.dLatDeg * M_PER_DEG);
}

/** Deterministic points spread over a window (golden-ratio sequence), longitudes in [west, west + width). */
function spread(w: Window, n: number): Array<[number, number]> {
  const width = w.eastDeg >= w.westDeg ? w.eastDeg - w.westDeg : w.eastDeg + 360 - w.westDeg;
  return Array.from({ length: n }, (_, k) => {
    const lon = w.westDeg + width * ((k * 0.6180339887 + 0.1) % 1);
    return [lon > 180 ? lon - 360 : lon, w.southDeg + (w.northDeg - w.southDeg) * ((k * 0.7548776662 + 0.3) % 1)];
  });
}

/**
 * Raster vs source polygons: a point may disagree with the polygons only when the coast passes
 * between it and its cell centre, i.e. within half a cell diagonal of it. Returns the counts.
 */
function compareWithSource(r: LandRaster, truthAt: (lon: number) => SourceTruth, pts: Array<[number, number]>) {
  const sampler = createLandSampler(r);
  let land = 0;
  let disagree = 0;
  for (const [lon, lat] of pts) {
    const truth = truthAt(lon);
    const t = truth.isLand(lon, lat);
    if (t) land++;
    if (sampler.isLand(lon, lat) !== t) {
      disagree++;
      // +2 m: the truth's distance uses a local flat Earth of mean radius (< 0.5 % of ~160 m).
      expect(truth.distanceToCoastM(lon, lat), `raster disagrees with the polygons at ${lon},${lat}`).toBeLessThanOrEqual(halfDiagonalM(r, lat) + 2);
    }
  }
  return { land, disagree };
}

describe('coastlineLandRaster: known places (OSM sea polygons, the default)', () => {
  const window = { westDeg: 2, eastDeg: 12, southDeg: 55, northDeg: 61 };
  const raster = coastlineLandRaster(window);
  const sampler = createLandSampler(raster);
  const truth = sourceTruth('osm-seas-10m', window);

  // [name, lon, lat, is land]: facts of geography, each also checked against the polygons and far
  // enough (> half a cell diagonal, ~160 m) from the coast that the raster cannot blur it.
  const places: Array<[string, number, number, boolean]> = [
    ['Oslo centre', 10.75, 59.91, true],
    ['North Sea 56N 3E', 3, 56, false],
    ['Utsira island', 4.883, 59.307, true],
    ['2 km west of Utsira', 4.84, 59.307, false],
    ['Karmøy inland', 5.22, 59.25, true],
    ['~600 m off Karmøy west coast', 5.17, 59.25, false],
    ['Stavanger, Jæren inland', 5.75, 58.75, true],
  ];
  it.each(places)('%s (%f, %f) is land: %s', (_name, lon, lat, isLand) => {
    expect(truth.isLand(lon, lat)).toBe(isLand);
    expect(truth.distanceToCoastM(lon, lat)).toBeGreaterThan(halfDiagonalM(raster, lat));
    expect(sampler.isLand(lon, lat)).toBe(isLand);
  });

  it('the point off Karmøy is really near the coast (400–800 m), so it tests the fine cells', () => {
    const dM = truth.distanceToCoastM(5.17, 59.25);
    expect(dM).toBeGreaterThan(400);
    expect(dM).toBeLessThan(800);
  });

  it('uses the default 1/480° cells (232 m N-S) and no wider E-W in metres at the window\'s lowest latitude', () => {
    expect(raster.dLatDeg).toBeCloseTo(DEFAULT_CELL_DEG, 12);
    // East-west cell width at 55° N equals the north-south height, to 1 mm.
    expect(raster.dLonDeg * Math.cos((55 * Math.PI) / 180) * M_PER_DEG).toBeCloseTo(raster.dLatDeg * M_PER_DEG, 3);
    expect(raster.data).toBeInstanceOf(SharedArrayBuffer);
    expect(raster.outside).toBe(0);
    expect(raster.source).toMatch(/OpenStreetMap/);
  });
});

describe('coastlineLandRaster vs the source polygons', () => {
  const window = { westDeg: 4.5, eastDeg: 6.5, southDeg: 58.8, northDeg: 59.8 }; // Rogaland: skerries and fjords

  for (const source of ['osm-seas-10m', 'natural-earth-10m'] as const) {
    it(`${source}: every sampled cell centre equals the polygons; other points within half a cell diagonal`, () => {
      const raster = coastlineLandRaster(window, { source });
      const truth = sourceTruth(source, window);
      const cells = new Uint8Array(raster.data);
      // 1. Cell centres are exactly what the polygons say (the fill samples centres).
      let checked = 0;
      for (let k = 0; k < 400; k++) {
        const i = (k * 7919 + 13) % raster.nx;
        const j = (k * 104729 + 7) % raster.ny;
        const lon = raster.westDeg + (i + 0.5) * raster.dLonDeg;
        const lat = raster.southDeg + (j + 0.5) * raster.dLatDeg;
        if (truth.distanceToCoastM(lon, lat) < 0.01) continue; // on the edge to 1 cm: either answer is right
        expect(cells[j * raster.nx + i] === 1, `cell ${i},${j}`).toBe(truth.isLand(lon, lat));
        checked++;
      }
      expect(checked).toBeGreaterThan(390);
      // 2. Anywhere else, a disagreement is within half a cell diagonal of the coast.
      const n = 600;
      const { land, disagree } = compareWithSource(raster, () => truth, spread(window, n));
      expect(land / n).toBeGreaterThan(0.2); // the window really mixes land and sea
      expect(land / n).toBeLessThan(0.8);
      expect(disagree / n).toBeLessThan(0.1);
    });
  }

  it('the OSM data resolve Utsira (≈ 6 km²); Natural Earth 1:10m does not', () => {
    const osm = createLandSampler(coastlineLandRaster(window));
    const ne = createLandSampler(coastlineLandRaster(window, { source: 'natural-earth-10m' }));
    expect(osm.isLand(4.883, 59.307)).toBe(true);
    expect(ne.isLand(4.883, 59.307)).toBe(false);
  });
});

describe('coastlineLandRaster across the antimeridian', () => {
  it('Fiji: west > east, east > 180 and west < -180 give the same raster', () => {
    const a = coastlineLandRaster({ westDeg: 176, eastDeg: -178, southDeg: -20, northDeg: -15 });
    const b = coastlineLandRaster({ westDeg: 176, eastDeg: 182, southDeg: -20, northDeg: -15 });
    const c = coastlineLandRaster({ westDeg: -184, eastDeg: -178, southDeg: -20, northDeg: -15 });
    for (const r of [b, c]) {
      expect(r.westDeg).toBe(a.westDeg);
      expect(r.nx).toBe(a.nx);
      expect(r.ny).toBe(a.ny);
      expect(Buffer.from(r.data).equals(Buffer.from(a.data))).toBe(true);
    }
    expect(a.westDeg).toBe(176);
    expect(a.nx * a.dLonDeg).toBeGreaterThanOrEqual(6);
    const s = createLandSampler(a);
    expect(s.isLand(178.05, -17.8)).toBe(true); // Viti Levu, 42 km from its coast
    expect(s.isLand(179.3, -16.6)).toBe(true); // Vanua Levu, 11 km
    expect(s.isLand(-179.95, -16.85)).toBe(true); // Taveuni, east of 180°, 5 km
    expect(s.isLand(180.05, -16.85)).toBe(true); // the same, written east of 180
    expect(s.isLand(179.95, -16.85)).toBe(false); // Somosomo Strait side west of 180°, 1.9 km
    expect(s.isLand(179.0, -17.5)).toBe(false); // Koro Sea, 5 km
    expect(s.isLand(-179.5, -19.5)).toBe(false); // open sea south of Lau, 52 km
  });

  it('Chukotka / Wrangel Island: seamless at 180°, agreeing with the polygons on both sides', () => {
    const window = { westDeg: 170, eastDeg: -165, southDeg: 62, northDeg: 72 };
    const r = coastlineLandRaster(window);
    const s = createLandSampler(r);
    expect(s.isLand(179.8, 71.25)).toBe(true); // Wrangel Island, west half
    expect(s.isLand(-179.8, 71.25)).toBe(true); // Wrangel Island, east half
    expect(s.isLand(-174, 66)).toBe(true); // Chukotka
    expect(s.isLand(178.5, 64)).toBe(true); // Anadyr lowland
    expect(s.isLand(-172, 69)).toBe(false); // Chukchi Sea
    expect(s.isLand(-175, 62.5)).toBe(false); // Bering Sea
    const east = sourceTruth('osm-seas-10m', { westDeg: 170, eastDeg: 180, southDeg: 62, northDeg: 72 }, 0.3);
    const west = sourceTruth('osm-seas-10m', { westDeg: -180, eastDeg: -165, southDeg: 62, northDeg: 72 }, 0.3);
    const n = 400;
    const { land } = compareWithSource(r, (lon) => (lon > 0 ? east : west), spread(window, n));
    expect(land / n).toBeGreaterThan(0.2);
    // Columns either side of 180°: Wrangel Island's rows are land on both (no seam of water).
    const iSeam = Math.round((180 - r.westDeg) / r.dLonDeg);
    const j = Math.floor((71.25 - r.southDeg) / r.dLatDeg);
    const cells = new Uint8Array(r.data);
    expect([cells[j * r.nx + iSeam - 1], cells[j * r.nx + iSeam]]).toEqual([1, 1]);
  });
});

describe('coastlineLandRaster memory cap', () => {
  it('the whole globe fits in 64 MiB with coarser cells and has Earth\'s land fraction', () => {
    const r = coastlineLandRaster({ westDeg: -180, eastDeg: 180, southDeg: -90, northDeg: 90 });
    expect(r.nx * r.ny).toBeLessThanOrEqual(MAX_RASTER_CELLS);
    expect(r.data.byteLength).toBeLessThanOrEqual(64 * 1024 * 1024);
    expect(r.nx * r.dLonDeg).toBeGreaterThanOrEqual(360);
    expect(r.dLatDeg).toBeGreaterThan(DEFAULT_CELL_DEG);
    // Area-weighted land fraction: Earth's land is 148.9 of 510.1 million km² = 29.2 %; ±0.5 points
    // covers 3.5 km cells along every coast and the data's choice of ice shelves and lakes (land here).
    const cells = new Uint8Array(r.data);
    let land = 0;
    let all = 0;
    for (let j = 0; j < r.ny; j++) {
      const w = Math.cos(((r.southDeg + (j + 0.5) * r.dLatDeg) * Math.PI) / 180);
      let c = 0;
      for (let i = 0; i < r.nx; i++) c += at(cells, j * r.nx + i);
      land += c * w;
      all += r.nx * w;
    }
    expect(land / all).toBeGreaterThan(0.287);
    expect(land / all).toBeLessThan(0.297);
  });

  it('a 48 h mission window at 60° N (±874 km) is coarsened only slightly; a 30-day one a lot, both under the cap', () => {
    // missionWindow(): 5 m/s × 48 h + 10 km = 874 km each way = 7.86° of latitude.
    const g48 = coastlineGrid({ westDeg: 10 - 15.7, eastDeg: 10 + 15.7, southDeg: 60 - 7.86, northDeg: 60 + 7.86 });
    expect(g48.nx * g48.ny).toBeLessThanOrEqual(MAX_RASTER_CELLS);
    expect(g48.dLatDeg).toBeGreaterThan(DEFAULT_CELL_DEG);
    expect(g48.dLatDeg * M_PER_DEG).toBeLessThan(260); // ≤ 260 m cells: 232 m × √(overshoot ≈ 1.05)
    const g720 = coastlineGrid({ westDeg: -60, eastDeg: 60, southDeg: 0, northDeg: 90 });
    expect(g720.nx * g720.ny).toBeLessThanOrEqual(MAX_RASTER_CELLS);
    expect(g720.nx * g720.ny).toBeGreaterThan(MAX_RASTER_CELLS * 0.95); // uses the budget, not far below it
  });

  it('a smaller cell budget is honoured', () => {
    const r = coastlineLandRaster({ westDeg: 0, eastDeg: 14, southDeg: 55, northDeg: 62 }, { maxCells: 1_000_000 });
    expect(r.nx * r.ny).toBeLessThanOrEqual(1_000_000);
    expect(createLandSampler(r).isLand(10.75, 59.91)).toBe(true); // Oslo still land at ~1 km cells
  });

  it('rejects bounds that are not numbers, naming the field', () => {
    expect(() => coastlineGrid({ westDeg: NaN, eastDeg: 1, southDeg: 0, northDeg: 1 })).toThrow(/westDeg/);
  });
});

describe('coastlineLandRaster with a custom coastline file', () => {
  const file = path.join(fixtures, 'custom-islands.geojson');
  const mid = { westDeg: -31, eastDeg: -27, southDeg: -1, northDeg: 2 };

  it('the file replaces the built-in polygons: its islands, holes, overlaps and antimeridian ring', () => {
    const builtIn = createLandSampler(coastlineLandRaster(mid));
    const custom = createLandSampler(coastlineLandRaster(mid, { source: { file } }));
    expect(builtIn.isLand(-29.8, 0.2)).toBe(false); // open Atlantic in the real data
    expect(custom.isLand(-29.8, 0.2)).toBe(true); // the square island
    expect(custom.isLand(-29.5, 0.5)).toBe(false); // its lagoon (a hole)
    expect(custom.isLand(-29.1, 0.85)).toBe(true); // where the two squares overlap: OR, not even-odd
    expect(custom.isLand(-28.5, 1.5)).toBe(true); // second square only
    expect(custom.isLand(-30.5, 0.5)).toBe(false); // sea west of the island
    const dateLine = createLandSampler(coastlineLandRaster({ westDeg: 178, eastDeg: -178, southDeg: -41, northDeg: -38 }, { source: { file } }));
    expect(dateLine.isLand(179.8, -39.5)).toBe(true);
    expect(dateLine.isLand(-179.8, -39.5)).toBe(true);
    expect(dateLine.isLand(179.3, -39.5)).toBe(false);
    expect(dateLine.isLand(-179.3, -39.5)).toBe(false);
  });

  it('the island edge sits within one cell of the polygon edge (-30.0° W)', () => {
    const r = coastlineLandRaster(mid, { source: { file } });
    const s = createLandSampler(r);
    // Scan the row through 0.2° N eastwards: the first land cell's centre is within one cell of -30.
    const lat = 0.2;
    let firstLandLon = NaN;
    for (let i = 0; i < r.nx; i++) {
      const lon = r.westDeg + (i + 0.5) * r.dLonDeg;
      if (s.isLand(lon, lat)) {
        firstLandLon = lon;
        break;
      }
    }
    expect(Math.abs(firstLandLon - -30)).toBeLessThanOrEqual(r.dLonDeg);
  });

  it("insideIs: 'water' reads the same file as sea polygons", () => {
    const s = createLandSampler(coastlineLandRaster(mid, { source: { file, insideIs: 'water' } }));
    expect(s.isLand(-29.8, 0.2)).toBe(false);
    expect(s.isLand(-30.5, 0.5)).toBe(true);
  });

  it('a missing or line-only file is a configuration error naming COASTLINE_FILE', () => {
    const missing = () => coastlineLandRaster(mid, { source: { file: path.join(fixtures, 'nope.geojson') } });
    expect(missing).toThrow(DriftlineError);
    expect(missing).toThrow(/COASTLINE_FILE: cannot read/);
    const lines = () => coastlineLandRaster(mid, { source: { file: path.join(fixtures, 'coastline-lines.geojson') } });
    expect(lines).toThrow(/COASTLINE_FILE: .*LineString/);
    const err = (() => {
      try {
        lines();
      } catch (e) {
        return e as DriftlineError;
      }
      return undefined;
    })();
    expect(err?.code).toBe('E_CONFIG');
    expect(err?.field).toBe('COASTLINE_FILE');
  });
});

describe('wiring helpers', () => {
  it('coastlineSourceFromConfig: COASTLINE_FILE when set, the OSM default otherwise', () => {
    expect(coastlineSourceFromConfig({})).toBe('osm-seas-10m');
    expect(coastlineSourceFromConfig({ COASTLINE_FILE: '/data/gshhg.geojson' })).toEqual({ file: '/data/gshhg.geojson' });
  });

  it('windowBounds turns missionWindow() output into bounds, across 180° and for the whole globe', () => {
    const across = windowBounds({ lonCenterDeg: 179, lonHalfWidthDeg: 3, southDeg: -20, northDeg: -15 });
    expect(across).toEqual({ westDeg: 176, eastDeg: 182, southDeg: -20, northDeg: -15 });
    const g = coastlineGrid(across);
    expect(g.westDeg).toBe(176);
    expect(g.nx * g.dLonDeg).toBeGreaterThanOrEqual(6);
    const globe = coastlineGrid(windowBounds({ lonCenterDeg: 20, lonHalfWidthDeg: 180, southDeg: 80, northDeg: 90 }));
    expect(globe.westDeg).toBe(-180);
    expect(globe.nx * globe.dLonDeg).toBeGreaterThanOrEqual(360);
  });
});
