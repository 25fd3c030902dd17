/**
 * products/search_areas.kmz (issue 14 item 3) and the area sizes in summary.json (item 4), from
 * writeAllProducts on a synthetic run: the zip opens with fflate (Info-ZIP: test/integration), doc.kml
 * parses as XML with one GroundOverlay per output time whose LatLonBox is the density grid of
 * summary.json, and every PNG decodes to nx·k × ny·k pixels, opaque exactly where the density grid
 * has particles. Also: no OpenDrift category marker leaks into the KML for any of the 85 categories.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEEWAY_CATEGORIES } from '../../src/model/objects.js';
import { buildDensityGrid } from '../../src/products/density-grid.js';
import { buildSearchAreasKmz } from '../../src/products/search-areas-kmz.js';
import { pxPerCell, rampRgba, scaleTop, weightedProbability } from '../../src/products/probability-images.js';
import { searchAreasKml } from '../../src/products/search-areas-kml.js';
import { writeAllProducts } from '../../src/products/write.js';
import { syntheticContext, syntheticResult } from './products.fixtures.js';
import { searchAreasGeoJson } from '../../src/products/search-areas-geojson.js';
import { buildSummary } from '../../src/products/summary.js';
import { at } from '../helpers/indexed.js';

const require = createRequire(import.meta.url);
/** fast-xml-parser 3 (a real XML parser, present via s3rver), as products-search-areas.test.ts uses it. */
const xml = require('fast-xml-parser') as {
  validate(s: string): true | { err: { code: string; msg: string; line: number } };
  parse(s: string, o: object): Record<string, unknown>;
};

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-kmz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const N_TIMES = 13;
const result = syntheticResult({ nParticles: 2000, nTimes: N_TIMES, releaseSteps: 3 });
const ctx = syntheticContext({ fallbackWind: true });
// The grid writeAllProducts builds (same inputs, deterministic): the expected occupancy of each image.
const grid = buildDensityGrid(result, 1000);

interface Summary {
  products: { kind: string; path: string; bytes: number }[];
  density_grid: { nx: number; ny: number; west_deg: number; south_deg: number; dlon_deg: number; dlat_deg: number };
  warnings: string[];
  times: { time: string; search_areas?: { percent: number; area_km2: number; area_nm2: number; fraction_inside: number }[] }[];
}
let summary: Summary;
let files: Record<string, Uint8Array>;
let kmzPath: string;

beforeAll(async () => {
  await writeAllProducts(result, ctx, dir, { cellM: 1000, percents: [50, 90, 95], timingsMs: {}, warnings: ['test warning: made-up wind'] });
  summary = JSON.parse(readFileSync(path.join(dir, 'products/summary.json'), 'utf8')) as Summary;
  kmzPath = path.join(dir, 'products/search_areas.kmz');
  files = unzipSync(readFileSync(kmzPath));
});

const text = (name: string) => new TextDecoder().decode(files[name]);

describe('products/search_areas.kmz', () => {
  it('is listed in summary.json with its size; doc.kml is the first entry, then the legend and one image per time', () => {
    const entry = summary.products.find((p) => p.kind === 'search_areas_kmz');
    expect(entry?.path).toBe('products/search_areas.kmz');
    const bytes = readFileSync(kmzPath);
    expect(entry?.bytes).toBe(bytes.length);
    // The first local file header (PKZIP APPNOTE 4.3.7: signature, name length at offset 26, name at 30):
    // Google Earth reads the first .kml of the archive. Info-ZIP's check is in test/integration/products-kmz-unzip.test.ts.
    expect(bytes.readUInt32LE(0)).toBe(0x04034b50);
    expect(bytes.subarray(30, 30 + bytes.readUInt16LE(26)).toString('latin1')).toBe('doc.kml');
    const names = Object.keys(files);
    expect(names).toContain('files/legend.png');
    expect(names.filter((n) => /^files\/probability_\d{3}\.png$/.test(n))).toHaveLength(N_TIMES);
    expect(names).toHaveLength(N_TIMES + 2);
  });

  it('doc.kml: one GroundOverlay per output time, LatLonBox = the density grid of summary.json, TimeSpans in order', () => {
    const kml = text('doc.kml');
    expect(xml.validate(kml)).toBe(true);
    const doc = xml.parse(kml, { ignoreAttributes: false, attributeNamePrefix: '@', arrayMode: false }) as {
      kml: { Document: { ScreenOverlay: { Icon: { href: string } }; Folder: { name: string; GroundOverlay?: unknown }[] } };
    };
    const mapFolder = doc.kml.Document.Folder.find((f) => f.name === 'Probability map');
    const overlays = (mapFolder?.GroundOverlay ?? []) as {
      TimeSpan: { begin: string; end: string };
      Icon: { href: string };
      LatLonBox: { north: number; south: number; east: number; west: number };
    }[];
    expect(overlays).toHaveLength(N_TIMES);
    const g = summary.density_grid;
    overlays.forEach((o, t) => {
      expect(o.TimeSpan.begin).toBe(summary.times[t]?.time);
      expect(Date.parse(o.TimeSpan.end) - Date.parse(o.TimeSpan.begin)).toBe(3600_000);
      expect(files[o.Icon.href], o.Icon.href).toBeDefined();
      // 1e-7° (~1 cm): the box is written with 8 decimals; the grid here does not cross ±180°.
      expect(o.LatLonBox.west).toBeCloseTo(g.west_deg, 7);
      expect(o.LatLonBox.east).toBeCloseTo(g.west_deg + g.nx * g.dlon_deg, 7);
      expect(o.LatLonBox.south).toBeCloseTo(g.south_deg, 7);
      expect(o.LatLonBox.north).toBeCloseTo(g.south_deg + g.ny * g.dlat_deg, 7);
    });
    expect(files[doc.kml.Document.ScreenOverlay.Icon.href]).toBeDefined();
    // The datum track with a time per vertex (gx:Track): one <when> and one <gx:coord> per drifting time, in time order.
    const timed = /<Placemark><name>Datum track \(timed\)<\/name>.*?<gx:Track>(.*?)<\/gx:Track>/.exec(kml)?.[1] ?? '';
    const whens = [...timed.matchAll(/<when>([^<]+)<\/when>/g)].map((m) => m[1] ?? '');
    const coords = [...timed.matchAll(/<gx:coord>([-\d.]+) ([-\d.]+) 0<\/gx:coord>/g)];
    const drifting = summary.times.filter((e) => (e.search_areas?.length ?? 0) > 0).map((e) => e.time);
    expect(whens).toEqual(drifting);
    expect(coords).toHaveLength(whens.length);
    // The warnings reach the KMZ too (document description), not only summary.json.
    expect(kml).toContain('test warning: made-up wind');
  });

  it('each PNG is nx·k × ny·k pixels, north up, opaque exactly in the cells holding particles', async () => {
    const k = pxPerCell(grid);
    expect(k).toBeGreaterThanOrEqual(1);
    const cells = grid.nx * grid.ny;
    let opaqueCells = 0;
    for (let t = 0; t < N_TIMES; t++) {
      const png = files[`files/probability_${String(t).padStart(3, '0')}.png`];
      expect(png, `record ${t}`).toBeDefined();
      const img = await loadImage(Buffer.from(png!));
      expect([img.width, img.height]).toEqual([grid.nx * k, grid.ny * k]);
      const c = createCanvas(img.width, img.height);
      const g2 = c.getContext('2d');
      g2.drawImage(img, 0, 0);
      const data = g2.getImageData(0, 0, img.width, img.height).data;
      for (let y = 0; y < grid.ny; y++) {
        for (let x = 0; x < grid.nx; x++) {
          const i = t * cells + y * grid.nx + x;
          const occupied = (grid.counts[i] ?? 0) + (grid.stranded[i] ?? 0) > 0;
          // Centre pixel of the cell's block; image row 0 is the grid's northernmost row.
          const px = x * k + Math.floor(k / 2);
          const py = (grid.ny - 1 - y) * k + Math.floor(k / 2);
          const alpha = data[(py * img.width + px) * 4 + 3] ?? -1;
          if (occupied) {
            opaqueCells++;
            // The ramp's lowest opacity is 0.55 (140/255); PNG round trip keeps alpha exact.
            expect(alpha, `t ${t} cell ${x},${y}`).toBeGreaterThanOrEqual(140);
          } else expect(alpha, `t ${t} cell ${x},${y}`).toBe(0);
        }
      }
    }
    expect(opaqueCells).toBeGreaterThan(N_TIMES * 10);
  });

  it('the legend image decodes and is drawn (not blank)', async () => {
    const legend = files['files/legend.png'];
    if (legend === undefined) throw new Error('the KMZ has no files/legend.png');
    const img = await loadImage(Buffer.from(legend));
    expect(img.width).toBe(300);
    const c = createCanvas(img.width, img.height);
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const data = g.getImageData(0, 0, img.width, img.height).data;
    // Count strongly red pixels (the ramp's top, the 50 % swatch, the WARNINGS heading): a blank legend has none.
    let red = 0;
    for (let i = 0; i < data.length; i += 4) if ((data[i] ?? 0) > 150 && (data[i + 1] ?? 255) < 80 && (data[i + 3] ?? 0) > 200) red++;
    expect(red).toBeGreaterThan(100);
  });
});

describe('a cloud across the antimeridian', () => {
  it('gets a LatLonBox with west > east, both within ±180°, spanning the grid width', async () => {
    const r = syntheticResult({ nParticles: 400, nTimes: 6, lon0Deg: 179.95 });
    const g = buildDensityGrid(r, 1000);
    expect(g.westDeg + g.nx * g.dLonDeg).toBeGreaterThan(180); // the fixture does cross
    const set = { percents: [90], datums: [], areas: [], cellM: 1000 };
    const kmz = await buildSearchAreasKmz(r, g, ctx, set, new Float64Array(r.nParticles).fill(1 / r.nParticles));
    const b = kmz.overlays.box;
    expect(b.westDeg).toBeGreaterThan(b.eastDeg);
    for (const v of [b.westDeg, b.eastDeg]) expect(Math.abs(v)).toBeLessThanOrEqual(180);
    // 1e-9°: wrapping by 360 is exact to rounding.
    expect(b.eastDeg + 360 - b.westDeg).toBeCloseTo(g.nx * g.dLonDeg, 9);
    expect(kmz.overlays.images).toHaveLength(6);
  });
});

describe('a KMZ that cannot be written', () => {
  it('is a warning in summary.json, not a failed mission: every other product is still written', async () => {
    const out = path.join(dir, 'blocked');
    // A directory where the file should go: the write fails with EISDIR, a permanent local error.
    mkdirSync(path.join(out, 'products/search_areas.kmz'), { recursive: true });
    const warnings: string[] = [];
    const written = await writeAllProducts(syntheticResult({ nParticles: 300, nTimes: 4 }), ctx, out, { cellM: 1000, percents: [90], timingsMs: {}, warnings });
    expect(written.map((f) => f.kind)).toEqual(['trajectory', 'density', 'search_areas_geojson', 'search_areas_kml', 'stranding_geojson', 'leeway_ascii', 'summary']);
    expect(warnings.some((w) => /^products\/search_areas\.kmz not written: .*EISDIR/.test(w))).toBe(true);
    const s = JSON.parse(readFileSync(path.join(out, 'products/summary.json'), 'utf8')) as Summary;
    expect(s.warnings).toEqual(warnings);
  });
});

describe('weightedProbability and the colour ramp', () => {
  it('with equal weights equals density.nc probability (drifting + stranded) / released, to float32 precision', () => {
    const w = new Float64Array(result.nParticles).fill(1 / result.nParticles);
    const prob = weightedProbability(grid, result, w);
    const cells = grid.nx * grid.ny;
    for (let t = 0; t < N_TIMES; t++) {
      const released = grid.releasedPerTime[t] ?? 0;
      let sum = 0;
      for (let c = 0; c < cells; c++) {
        const i = t * cells + c;
        const expected = ((grid.counts[i] ?? 0) + (grid.stranded[i] ?? 0)) / released;
        // 1e-6 absolute: float32 storage of a value in [0, 1].
        expect(Math.abs((prob[i] ?? 0) - expected)).toBeLessThan(1e-6);
        sum += prob[i] ?? 0;
      }
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it('equal weights, read from the grid counts, give the same float32 values as summing every particle in turn', () => {
    // The per-particle sums the general path makes, written out here: w added once per released particle.
    const w0 = 1 / 3; // not a power of 2: the sums round along the way
    const w = new Float64Array(result.nParticles).fill(w0);
    const cells = grid.nx * grid.ny;
    const sums = new Float64Array(cells * N_TIMES);
    const released = new Float64Array(N_TIMES);
    const ref = grid.extent?.refLonDeg ?? NaN;
    for (let p = 0; p < result.nParticles; p++) {
      for (let t = 0; t < N_TIMES; t++) {
        const lat = at(result.latDeg, p * N_TIMES + t);
        let d = at(result.lonDeg, p * N_TIMES + t) - ref;
        if (Number.isNaN(d) || Number.isNaN(lat)) continue;
        if (d >= 180) d -= 360;
        else if (d < -180) d += 360;
        const x = Math.min(grid.nx - 1, Math.max(0, Math.floor((ref + d - grid.westDeg) * (1 / grid.dLonDeg))));
        const y = Math.min(grid.ny - 1, Math.max(0, Math.floor((lat - grid.southDeg) * (1 / grid.dLatDeg))));
        const k = t * cells + y * grid.nx + x;
        sums[k] = at(sums, k) + w0;
        released[t] = at(released, t) + w0;
      }
    }
    const expected = new Float32Array(cells * N_TIMES);
    for (let k = 0; k < expected.length; k++) expected[k] = at(sums, k) / at(released, Math.floor(k / cells));
    expect(at(released, 0)).toBeGreaterThan(0); // every time has released weight: no 0/0 above
    expect(weightedProbability(grid, result, w)).toEqual(expected);
  });

  it('weights move probability: all weight on one particle puts probability 1 in its cell', () => {
    const w = new Float64Array(result.nParticles);
    w[5] = 1;
    const prob = weightedProbability(grid, result, w);
    const t = N_TIMES - 1;
    const cells = grid.nx * grid.ny;
    const slice = prob.subarray(t * cells, (t + 1) * cells);
    expect(Math.max(...slice)).toBe(1);
    expect(slice.filter((v) => v > 0)).toHaveLength(1);
  });

  it('ramp: transparent at 0, opacity and redness grow with probability, saturated above the top', () => {
    expect(rampRgba(0, 0.01)[3]).toBe(0);
    const low = rampRgba(1e-9, 0.01);
    const mid = rampRgba(1e-3, 0.01);
    const top = rampRgba(0.01, 0.01);
    expect(low[3]).toBeGreaterThan(0); // below the ramp's floor: drawn, not hidden
    expect(mid[3]).toBeGreaterThan(low[3]);
    expect(top[3]).toBeGreaterThan(mid[3]);
    expect(top[1]).toBeLessThan(mid[1]); // less green = redder
    expect(rampRgba(0.5, 0.01)).toEqual(top);
    expect(scaleTop(new Float32Array([0, 0, 0]))).toBe(0);
    // 99th percentile of the occupied cells, not the maximum: one 0.9 cell among 200 of 0.001 does not set the scale.
    const values = new Float32Array(201).fill(0.001);
    values[0] = 0.9;
    expect(scaleTop(values)).toBeCloseTo(0.001, 6);
  });
});

describe('summary.json search-area sizes', () => {
  it('every time with drifting particles lists 50/90/95 % with km² = NM² × 1.852² and sizes not shrinking with the percent', () => {
    const geo = JSON.parse(readFileSync(path.join(dir, 'products/search_areas.geojson'), 'utf8')) as {
      features: { properties: { kind: string; time?: string; percent?: number; area_km2?: number } }[];
    };
    let checked = 0;
    for (const entry of summary.times) {
      const sizes = entry.search_areas;
      expect(sizes, entry.time).toBeDefined();
      if (!sizes || sizes.length === 0) continue;
      expect(sizes.map((s) => s.percent)).toEqual([50, 90, 95]);
      for (let k = 0; k < sizes.length; k++) {
        const s = at(sizes, k);
        // Both are rounded to 0.001 (km², NM²): at most 0.0005 NM² + 0.0005 km² / 3.43 apart (the first
        // record's areas are a single 50 m cell, 0.0025 km², so a relative bound would not hold there).
        expect(Math.abs(s.area_km2 / 3.429904 - s.area_nm2)).toBeLessThanOrEqual(0.00065);
        expect(s.fraction_inside).toBeGreaterThanOrEqual(s.percent / 100 - 1e-4);
        if (k > 0) expect(s.area_km2).toBeGreaterThanOrEqual(at(sizes, k - 1).area_km2);
        const feature = geo.features.find((f) => f.properties.kind === 'search_area' && f.properties.time === entry.time && f.properties.percent === s.percent);
        expect(feature?.properties.area_km2).toBe(s.area_km2);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(3 * (N_TIMES - 1));
  });
});

describe('category names in the KML', () => {
  it('no OpenDrift sub-category marker (">") nor other markup leaks, for every one of the 85 categories', () => {
    const set = { percents: [50], datums: [], areas: [], cellM: 1000 };
    const tiny = syntheticResult({ nParticles: 4, nTimes: 2 });
    for (const category of LEEWAY_CATEGORIES) {
      const kml = searchAreasKml(set, { ...ctx, category }, tiny);
      const desc = /<Document>\n<name>[^<]*<\/name>\n<open>1<\/open>\n<description>([^<]*)<\/description>/.exec(kml)?.[1] ?? '';
      expect(desc, category.key).toContain(`Leeway drift of ${category.key} (`);
      expect(desc, category.key).not.toMatch(/&gt;|&lt;|\(\s*>/);
      expect(xml.validate(kml), category.key).toBe(true);
    }
  });

  it('nor into the GeoJSON and summary.json (OpenDrift\'s own attribute, seed:object_type, keeps it)', () => {
    const set = { percents: [50], datums: [], areas: [], cellM: 1000 };
    const tiny = syntheticResult({ nParticles: 4, nTimes: 2 });
    const marked = LEEWAY_CATEGORIES.filter((c) => c.description.startsWith('>'));
    expect(marked.length).toBeGreaterThan(0); // the table really has the markers this guards against
    for (const category of marked) {
      const geo = searchAreasGeoJson(set, { ...ctx, category }, tiny) as unknown as { object_category: string };
      expect(geo.object_category, category.key).toBe(`${category.key}: ${category.description.replace(/^>+\s*/, '')}`);
      const summary = buildSummary(tiny, { ...ctx, category }, { timingsMs: {}, warnings: [] }) as { object_category: { description: string } };
      expect(summary.object_category.description, category.key).not.toMatch(/^>/);
    }
  });
});
