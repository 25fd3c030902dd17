import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { booleanPointInPolygon } from '@turf/boolean-point-in-polygon';
import type { Feature, FeatureCollection, MultiPolygon, Polygon, Position } from 'geojson';
import { afterAll, describe, expect, it } from 'vitest';
import type { TrajectoryResult } from '../../src/model/types.js';
import { M_PER_DEG_LAT } from '../../src/model/geo.js';
import { buildDensityGrid } from '../../src/products/density-grid.js';
import { computeSearchAreas, writeSearchAreaFiles, type SearchArea } from '../../src/products/search-areas.js';
import { seededContext, syntheticCloud } from './products.fixtures.js';
import { at } from '../helpers/indexed.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-search-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Twice the signed planar area of a closed ring in lon/lat (> 0: counter-clockwise). */
function ringArea2(ring: Position[]): number {
  let s = 0;
  for (let k = 0; k + 1 < ring.length; k++) {
    const [x0 = NaN, y0 = NaN] = at(ring, k);
    const [x1 = NaN, y1 = NaN] = at(ring, k + 1);
    s += x0 * y1 - x1 * y0;
  }
  return s;
}

function polygonsOf(g: Polygon | MultiPolygon): Position[][][] {
  return g.type === 'Polygon' ? [g.coordinates] : g.coordinates;
}

function fractionInside(result: TrajectoryResult, t: number, g: Polygon | MultiPolygon): number {
  let inside = 0;
  let released = 0;
  for (let p = 0; p < result.nParticles; p++) {
    const i = p * result.nTimes + t;
    const lon = at(result.lonDeg, i);
    if (Number.isNaN(lon)) continue;
    released++;
    if (booleanPointInPolygon([lon, at(result.latDeg, i)], g)) inside++;
  }
  return inside / released;
}

function expectRfc7946Rings(g: Polygon | MultiPolygon): void {
  for (const poly of polygonsOf(g)) {
    poly.forEach((ring, k) => {
      expect(ring.length).toBeGreaterThanOrEqual(5); // closed, at least a quadrilateral
      expect(ring[0]).toEqual(ring[ring.length - 1]);
      if (k === 0) expect(ringArea2(ring)).toBeGreaterThan(0); // outer: counter-clockwise
      else expect(ringArea2(ring)).toBeLessThan(0); // hole: clockwise
      for (const [lon = NaN, lat = NaN] of ring) {
        expect(lon).toBeGreaterThanOrEqual(-180);
        expect(lon).toBeLessThanOrEqual(180);
        expect(Math.abs(lat)).toBeLessThanOrEqual(90);
      }
    });
  }
}

const T = 25;
// Cloud off western Norway: drifting north-east, growing from 500 m to 5.3 km sigma, a 15 % second lobe
// 12 km away, 5 % stranded from mid-run, released over the first 4 steps.
const cloud = syntheticCloud({
  nParticles: 5000,
  nTimes: T,
  lon0Deg: 4.6,
  lat0Deg: 60.3,
  driftEastMPerStep: 900,
  driftNorthMPerStep: 400,
  sigmaGrowthMPerStep: 200,
  lobeFraction: 0.15,
  lobeEastM: 12_000,
  lobeNorthM: -4000,
  strandedFraction: 0.05,
  releaseSteps: 4,
});
const grid = buildDensityGrid(cloud, 1000);
const set = computeSearchAreas(cloud, grid, [95, 50, 90]);
const areaAt = (t: number, percent: number): SearchArea =>
  set.areas.find((a) => a.timeSec === cloud.timesSec[t] && a.percent === percent)!;

describe('computeSearchAreas', () => {
  it('gives a datum and one area per percent at every time, percents sorted', () => {
    expect(set.percents).toEqual([50, 90, 95]);
    expect(set.datums).toHaveLength(T);
    expect(set.areas).toHaveLength(T * 3);
  });

  it('puts the datum at the mean released position', () => {
    for (const t of [0, 12, 24]) {
      let sLon = 0;
      let sLat = 0;
      let n = 0;
      for (let p = 0; p < cloud.nParticles; p++) {
        const i = p * T + t;
        const lon = at(cloud.lonDeg, i);
        if (Number.isNaN(lon)) continue;
        sLon += lon;
        sLat += at(cloud.latDeg, i);
        n++;
      }
      const d = at(set.datums, t);
      expect(d.released).toBe(n);
      // 1e-9° ≈ 0.1 mm: only float64 summation order differs.
      expect(d.lonDeg).toBeCloseTo(sLon / n, 9);
      expect(d.latDeg).toBeCloseTo(sLat / n, 9);
    }
  });

  it('the p % polygon contains at least p % of that time’s particles (turf point-in-polygon)', () => {
    for (let t = 0; t < T; t += 3) {
      for (const percent of [50, 90, 95]) {
        const a = areaAt(t, percent);
        const f = fractionInside(cloud, t, a.geometry);
        expect(f).toBeGreaterThanOrEqual(percent / 100);
        // The polygon holds exactly the chosen cells' particles (no corner cut, no extra cell).
        expect(f).toBeCloseTo(a.fractionInside, 9);
      }
    }
  });

  it('is the smallest such set: without its emptiest cell it would hold less than p %', () => {
    for (const t of [4, 24]) {
      const cellsPerTime = grid.nx * grid.ny;
      for (const percent of [50, 90, 95]) {
        const a = areaAt(t, percent);
        // The cells chosen are the a.nCells fullest; their least full one holds `last` particles.
        const sorted = Array.from({ length: cellsPerTime }, (_, c) => at(grid.counts, t * cellsPerTime + c) + at(grid.stranded, t * cellsPerTime + c)).sort(
          (x, y) => y - x,
        );
        const top = sorted.slice(0, a.nCells).reduce((s, v) => s + v, 0);
        const released = at(grid.releasedPerTime, t);
        expect(top / released).toBeCloseTo(a.fractionInside, 12);
        const last = at(sorted, a.nCells - 1);
        expect((top - last) / released).toBeLessThan(percent / 100);
      }
    }
  });

  it('nests the areas and measures them geodesically (≈ cells × 1 km²)', () => {
    for (let t = 0; t < T; t += 4) {
      const a50 = areaAt(t, 50);
      const a90 = areaAt(t, 90);
      const a95 = areaAt(t, 95);
      expect(a50.areaKm2).toBeLessThanOrEqual(a90.areaKm2);
      expect(a90.areaKm2).toBeLessThanOrEqual(a95.areaKm2);
      for (const a of [a50, a90, a95]) {
        // Cells are 1 km north-south and 1 km east-west at the grid's mid-latitude; over ~0.3° of
        // latitude cos varies by < 1 %, and turf's spherical earth differs from 111 320 m/° by < 0.5 %.
        expect(a.areaKm2 / a.nCells).toBeGreaterThan(0.98);
        expect(a.areaKm2 / a.nCells).toBeLessThan(1.02);
      }
    }
  });

  it('writes RFC 7946 rings: counter-clockwise outer, clockwise holes, [lon, lat] order', () => {
    let multi = 0;
    for (const a of set.areas) {
      expectRfc7946Rings(a.geometry);
      if (a.geometry.type === 'MultiPolygon') multi++;
      // [lon, lat]: the cloud is at 4.6° E, 60.3° N, so the first number is near 4.6, the second near 60.3.
      const [lon = NaN, lat = NaN] = at(at(at(polygonsOf(a.geometry), 0), 0), 0);
      expect(Math.abs(lon - 5)).toBeLessThan(1);
      expect(Math.abs(lat - 60.4)).toBeLessThan(0.5);
    }
    expect(multi).toBeGreaterThan(0); // the second lobe makes separate polygons at some times
  });
});

describe('search areas across the antimeridian', () => {
  const nT = 9;
  const dateline = syntheticCloud({ nParticles: 4000, nTimes: nT, lon0Deg: 179.9, lat0Deg: -17.5, driftEastMPerStep: 2500, sigma0M: 3000, seed: 7 });
  const g = buildDensityGrid(dateline, 1000);
  const s = computeSearchAreas(dateline, g, [50, 95]);

  it('splits polygons at ±180° into a MultiPolygon whose parts meet the meridian', () => {
    const crossing = s.areas.filter((a) => a.geometry.type === 'MultiPolygon');
    expect(crossing.length).toBeGreaterThan(0);
    for (const a of s.areas) {
      expectRfc7946Rings(a.geometry);
      for (const poly of polygonsOf(a.geometry)) {
        const lons = at(poly, 0).map((p) => at(p, 0));
        // No part spans the globe: each lies within ~1° on one side of the meridian.
        expect(Math.max(...lons) - Math.min(...lons)).toBeLessThan(2);
      }
    }
    const a95 = s.areas.find((a) => a.percent === 95 && a.timeSec === dateline.timesSec[nT - 1])!;
    const lons = polygonsOf(a95.geometry).flatMap((poly) => at(poly, 0).map((p) => at(p, 0)));
    expect(lons).toContain(180);
    expect(lons).toContain(-180);
  });

  it('still contains ≥ 95 % of the particles and measures the area of both halves', () => {
    for (let t = 0; t < nT; t += 2) {
      const a = s.areas.find((x) => x.percent === 95 && x.timeSec === dateline.timesSec[t])!;
      expect(fractionInside(dateline, t, a.geometry)).toBeGreaterThanOrEqual(0.95);
      // Area ≈ cells × cell area, computed from the grid's own cell size at this latitude (±2 %, as above).
      const cellKm2 = (g.dLatDeg * M_PER_DEG_LAT * g.dLonDeg * M_PER_DEG_LAT * Math.cos((17.5 * Math.PI) / 180)) / 1e6;
      expect(a.areaKm2 / (a.nCells * cellKm2)).toBeGreaterThan(0.98);
      expect(a.areaKm2 / (a.nCells * cellKm2)).toBeLessThan(1.02);
    }
  });
});

/** XML well-formedness and structure: fast-xml-parser 3 (a real XML parser, present via s3rver). */
const require = createRequire(import.meta.url);
const xml = require('fast-xml-parser') as {
  validate(s: string): true | { err: { code: string; msg: string; line: number } };
  parse(s: string, o: object): Record<string, unknown>;
};

describe('writeSearchAreaFiles', () => {
  const ctx = seededContext({ lonDeg: 4.6, latDeg: 60.3, objectType: 'PIW-2', missionId: 'sar-2024-03-01.A' });

  it('writes the GeoJSON and the KML where PRODUCT_PATHS says, with size and sha256', async () => {
    const files = await writeSearchAreaFiles(cloud, grid, ctx, dir, [50, 90, 95]);
    expect(files.map((f) => f.kind)).toEqual(['search_areas_geojson', 'search_areas_kml']);
    const [geojson, kml] = [at(files, 0), at(files, 1)];
    expect(geojson.path).toBe(path.join(dir, 'products/search_areas.geojson'));
    expect(kml.path).toBe(path.join(dir, 'products/search_areas.kml'));
    for (const f of files) {
      const bytes = readFileSync(f.path);
      expect(f.bytes).toBe(bytes.length);
      expect(f.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
    expect(geojson.contentType).toBe('application/geo+json');
    expect(kml.contentType).toBe('application/vnd.google-earth.kml+xml');
  });

  it('GeoJSON: a FeatureCollection of seed, datums and areas with time, percent, area_km2', () => {
    const fc = JSON.parse(readFileSync(path.join(dir, 'products/search_areas.geojson'), 'utf8')) as FeatureCollection;
    expect(fc.type).toBe('FeatureCollection');
    const kinds = (k: string) => fc.features.filter((f: Feature) => f.properties?.kind === k);
    expect(kinds('seed')).toHaveLength(1);
    const seed = at(kinds('seed'), 0).geometry as { type: string; coordinates: number[] };
    expect(seed.type).toBe('Point');
    // 1e-9° ≈ 0.1 mm: the job's longitude wrap (x + 180) % 360 - 180 rounds in the last bits.
    expect(seed.coordinates[0]).toBeCloseTo(4.6, 9);
    expect(seed.coordinates[1]).toBe(60.3);
    expect(kinds('datum')).toHaveLength(T);
    const areas = kinds('search_area');
    expect(areas).toHaveLength(T * 3);
    const a = areas.find((f) => f.properties?.percent === 95 && f.properties?.time === '2024-03-01T12:00:00Z')!;
    expect(a).toBeDefined();
    expect(a.properties?.area_km2).toBeGreaterThan(1);
    expect(fractionInside(cloud, 12, a.geometry as Polygon | MultiPolygon)).toBeGreaterThanOrEqual(0.95);
  });

  it('KML: well-formed 2.2 with a TimeSpan per time and a style per percent', () => {
    const text = readFileSync(path.join(dir, 'products/search_areas.kml'), 'utf8');
    expect(xml.validate(text)).toBe(true);
    const doc = xml.parse(text, { ignoreAttributes: false, attributeNamePrefix: '@', arrayMode: false }) as {
      kml: { '@xmlns': string; Document: { Style: { '@id': string }[]; Folder: Record<string, unknown>[]; name: string } };
    };
    expect(doc.kml['@xmlns']).toBe('http://www.opengis.net/kml/2.2');
    expect(doc.kml.Document.name).toBe('Search areas — mission sar-2024-03-01.A');
    expect(doc.kml.Document.Style.map((s) => s['@id'])).toEqual(['area-50', 'area-90', 'area-95', 'datum', 'datum-track', 'datum-track-timed', 'seed']);
    // The Legend folder (text: the plain KML has no image for a ScreenOverlay) comes first, then one per time.
    const [legend, ...folders] = doc.kml.Document.Folder;
    expect(legend?.name).toBe('Legend');
    expect(String(legend?.description)).toMatch(/50 % area: red outline/);
    expect(String(legend?.description)).toMatch(/Datum track: black line/);
    expect(folders).toHaveLength(T);
    folders.forEach((f, k) => {
      const span = f.TimeSpan as { begin: string; end: string };
      expect(span.begin).toBe(new Date(at(cloud.timesSec, k) * 1000).toISOString().replace('.000Z', 'Z'));
      expect(Date.parse(span.end) - Date.parse(span.begin)).toBe(3600_000);
      const placemarks = f.Placemark as { name: string | number; TimeSpan: { begin: string }; styleUrl: string }[];
      // 95, 90, 50 (largest first, drawn underneath), then the datum; each carries the folder's span.
      expect(placemarks.map((p) => String(p.name))).toEqual(['95 %', '90 %', '50 %', 'Datum']);
      for (const p of placemarks) expect(p.TimeSpan.begin).toBe(span.begin);
    });
    // The category description ">PIW, vertical PFD ..." starts with OpenDrift's sub-category marker '>',
    // which is dropped rather than shown escaped ("&gt;PIW" leaked into Google Earth's balloons).
    expect(text).not.toContain('&gt;PIW');
    expect(text).toContain('(PIW, vertical PFD');
  });
});
