/**
 * Products written as they are made (issue 9): the ProductSink of src/products/files.ts (bytes, sha256,
 * the partial file, the error paths), jsonPieces against JSON.stringify, and every streamed text
 * product against the whole-document function it replaced in the writer (same bytes). The KMZ is read
 * back with fflate here and with Info-ZIP in test/integration/products-kmz-unzip.test.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { equalWeights } from '../../src/search/index.js';
import { buildDensityGrid } from '../../src/products/density-grid.js';
import { ProductSink, SINK_BUFFER_BYTES, writePieces, writeProductPieces } from '../../src/products/files.js';
import { jsonPieces, lazyArray } from '../../src/products/json-pieces.js';
import { searchAreasGeoJson } from '../../src/products/search-areas-geojson.js';
import { searchAreasKml } from '../../src/products/search-areas-kml.js';
import { buildSearchAreasKmz, writeSearchAreasKmz } from '../../src/products/search-areas-kmz.js';
import { writeSearchAreaFiles } from '../../src/products/search-areas.js';
import { searchPlanGeoJson, searchPlanKml } from '../../src/products/search-plan-format.js';
import { missionSearch, planMission, searchSummary, writeSearchPlanFiles } from '../../src/products/search-plan.js';
import { smoothedSearchAreas } from '../../src/products/search-smoothed.js';
import { strandingGeoJson, strandingReport, strandingSummary, writeStrandingFile } from '../../src/products/stranding.js';
import { buildSummary, writeSummary, type SummaryOptions } from '../../src/products/summary.js';
import type { ProductFile } from '../../src/products/types.js';
import { START_SEC, syntheticContext, syntheticResult } from './products.fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-streaming-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** This process's open descriptors whose target is `target` (Linux /proc; "(deleted)" once unlinked). */
function openDescriptorsOf(target: string): number {
  const fds = readdirSync('/proc/self/fd');
  return fds.filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).replace(/ \(deleted\)$/, '') === target;
    } catch {
      return false; // closed between the listing and the read
    }
  }).length;
}

/** What the file on disk holds against what the writer recorded, and against the expected bytes. */
function expectOnDisk(file: string, written: { bytes: number; sha256: string }, expected: Uint8Array): void {
  const disk = readFileSync(file);
  expect(Buffer.compare(disk, expected)).toBe(0);
  expect(written.bytes).toBe(disk.length);
  expect(statSync(file).size).toBe(written.bytes);
  expect(written.sha256).toBe(sha256(disk));
}

describe('ProductSink', () => {
  // "€" is E2 82 AC in UTF-8, "😀" the surrogate pair D83D DE00 (F0 9F 98 80).
  const euro = Buffer.from('€', 'utf8');
  const text = 'Ålesund — 12 € 😀 ' + 'x'.repeat(100) + ' ¹²³ 😀';

  it('writes, counts and hashes pieces in order: strings split inside a surrogate pair, bytes split inside a character', async () => {
    const file = path.join(dir, 'split.txt');
    // A 16-byte buffer so nearly every piece crosses a flush; then the default 64 KiB.
    for (const bufferBytes of [16, SINK_BUFFER_BYTES]) {
      const sink = await ProductSink.open(file, bufferBytes);
      const emoji = text.indexOf('😀');
      await sink.write(text.slice(0, emoji + 1)); // ends with the high surrogate D83D
      await sink.write(text.slice(emoji + 1)); // starts with the low surrogate DE00
      await sink.write(euro.subarray(0, 1)); // "€" split over two byte pieces
      await sink.write(euro.subarray(1));
      await sink.write('');
      await sink.write(new Uint8Array(bufferBytes * 3).fill(0x41)); // larger than the buffer: written as it is
      await sink.write('😀'.slice(0, 1)); // a high surrogate last...
      const written = await sink.close(); // ...with nothing after it: U+FFFD, as Buffer.from writes it
      const expected = Buffer.concat([Buffer.from(text, 'utf8'), euro, Buffer.alloc(bufferBytes * 3, 0x41), Buffer.from('\ufffd', 'utf8')]);
      expectOnDisk(file, written, expected);
      expect(existsSync(`${file}.partial`)).toBe(false);
    }
  });

  it('gives the same bytes as Buffer.from of the joined text for any cut of it', async () => {
    const file = path.join(dir, 'cuts.txt');
    const whole = Buffer.from(text, 'utf8');
    for (let cut = 0; cut <= text.length; cut += 7) {
      const written = await writePieces(file, [text.slice(0, cut), text.slice(cut)]);
      expectOnDisk(file, written, whole);
    }
  });

  it('keeps the file under <name>.partial until close, then renames it', async () => {
    const file = path.join(dir, 'rename.txt');
    const sink = await ProductSink.open(file);
    await sink.write('abc');
    expect(existsSync(`${file}.partial`)).toBe(true);
    expect(existsSync(file)).toBe(false);
    await sink.close();
    expect(readFileSync(file, 'utf8')).toBe('abc');
  });

  it('closes and removes the partial file when the producer throws, and rethrows', async () => {
    const file = path.join(dir, 'producer-fails.txt');
    const partial = `${file}.partial`;
    let openWhileWriting = -1;
    function* pieces(): Generator<string> {
      yield 'x'.repeat(SINK_BUFFER_BYTES + 10); // flushed: the file is open and has bytes
      openWhileWriting = openDescriptorsOf(partial);
      throw new Error('producer failed');
    }
    await expect(writePieces(file, pieces())).rejects.toThrow('producer failed');
    expect(openWhileWriting).toBe(1); // the check below can fail: the file was open here
    expect(openDescriptorsOf(partial)).toBe(0);
    expect(existsSync(partial)).toBe(false);
    expect(existsSync(file)).toBe(false);
  });

  it('closes and removes the partial file when the disk is full (ENOSPC from /dev/full), and rethrows', async () => {
    const file = path.join(dir, 'full.txt');
    const partial = `${file}.partial`;
    symlinkSync('/dev/full', partial); // the sink opens <name>.partial: here /dev/full, where every write fails
    const sink = await ProductSink.open(file);
    expect(openDescriptorsOf('/dev/full')).toBe(1);
    await expect(sink.write(new Uint8Array(SINK_BUFFER_BYTES))).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(openDescriptorsOf('/dev/full')).toBe(0);
    expect(existsSync(partial)).toBe(false); // the link, not /dev/full
    expect(existsSync('/dev/full')).toBe(true);
    await expect(sink.write('more')).rejects.toThrow(/write after close/);
  });
});

describe('jsonPieces', () => {
  const values: unknown[] = [
    { a: 1, b: [1, 2, { c: 'd' }], e: {}, f: [], g: null },
    { skip: undefined, fn: () => 1, nan: NaN, inf: -Infinity, negZero: -0, big: 1e21, small: 5e-324, s: 'é😀"\\\n\u2028\u0007' },
    [undefined, () => 1, Symbol('s'), 1, [[[]]], [{}]],
    { date: new Date(Date.UTC(2024, 0, 1)), typed: new Float64Array([0.1, 2]), nested: { deeper: { deepest: [1, { x: [2] }] } } },
    { onlySkipped: { a: undefined } },
    Object.assign(Object.create(null) as Record<string, unknown>, { nullProto: true }),
    [],
    {},
    'a string',
    42,
  ];

  it('equals JSON.stringify for every depth, without and with indentation', () => {
    for (const v of values) {
      for (const space of [0, 2]) {
        const expected = JSON.stringify(v, null, space);
        for (const depth of [0, 1, 2, 3, 9]) expect([...jsonPieces(v, { space, depth })].join('')).toBe(expected);
      }
    }
  });

  it('writes a lazy array in an opened container as JSON.stringify writes the array, empty or not', () => {
    const rows = [{ id: 1, p: [1.5, -2] }, { id: 2, p: [] }, { id: 3, p: [0] }];
    const lazy = { head: 'h', features: lazyArray(() => rows.values()), none: lazyArray(() => []), tail: { deep: lazyArray(() => [[1], [2]]) } };
    const plain = { head: 'h', features: rows, none: [], tail: { deep: [[1], [2]] } };
    for (const space of [0, 2]) for (const depth of [2, 3]) expect([...jsonPieces(lazy, { space, depth })].join('')).toBe(JSON.stringify(plain, null, space));
  });

  it('refuses a lazy array inside a value it writes whole (JSON.stringify would write it {})', () => {
    const lazy = { head: 'h', tail: { deep: lazyArray(() => [1]) } };
    for (const depth of [0, 1]) expect(() => [...jsonPieces(lazy, { depth })]).toThrow(/lazy array/);
    expect(() => JSON.stringify(lazy)).toThrow(/lazy array/);
  });

  it('cuts the document along its structure: with depth 1 each lazy element is one piece', () => {
    const pieces = [...jsonPieces({ type: 'FeatureCollection', features: lazyArray(() => [{ a: 1 }, { b: 2 }]) })];
    expect(pieces).toEqual(['{"type":"FeatureCollection"', ',"features":', '[{"a":1}', ',{"b":2}', ']', '}']);
  });
});

describe('streamed products', () => {
  // 2 000 particles × 13 hourly records; 10 % strand half way, so the stranding file has coast cells.
  const result = syntheticResult({ nParticles: 2000, nTimes: 13, releaseSteps: 2 });
  // Warnings with characters of two to four UTF-8 bytes: they are in the GeoJSON, the KML and the summary.
  const ctx = { ...syntheticContext(), warnings: ['Ålesund — 12 € 😀: test warning'] };
  const grid = buildDensityGrid(result, 1000);
  const weights = equalWeights(result.nParticles);
  const set = smoothedSearchAreas(result, weights, [50, 90, 95]);
  const iso = (h: number) => new Date((START_SEC + h * 3600) * 1000).toISOString();
  const search = missionSearch(result, {
    detection: 'exponential',
    completed: [],
    plan: { start_time: iso(4), units: [{ name: 'Helicopter', speed_kn: 90, endurance_h: 2, sweep_width_nm: 1.2 }, { name: 'Båt', speed_kn: 15, endurance_h: 4, sweep_width_nm: 0.6 }] },
  });
  const written = (files: ProductFile[], kind: ProductFile['kind']) => {
    const f = files.find((p) => p.kind === kind);
    if (f === undefined) throw new Error(`no ${kind} written`);
    return f;
  };

  it('search_areas.geojson and .kml: the bytes of JSON.stringify(searchAreasGeoJson(…)) and of searchAreasKml(…)', async () => {
    expect(set.areas.length).toBeGreaterThan(20);
    const files = await writeSearchAreaFiles(result, grid, ctx, dir, [50, 90, 95], weights, set);
    const geo = written(files, 'search_areas_geojson');
    expectOnDisk(geo.path, geo, Buffer.from(JSON.stringify(searchAreasGeoJson(set, ctx, result)), 'utf8'));
    const kml = written(files, 'search_areas_kml');
    expectOnDisk(kml.path, kml, Buffer.from(searchAreasKml(set, ctx, result), 'utf8'));
  });

  it('stranding.geojson: the bytes of JSON.stringify(strandingGeoJson(…))', async () => {
    const report = strandingReport(result, grid, weights);
    expect(report.cells.length).toBeGreaterThan(3);
    const f = await writeStrandingFile(report, result.timesSec, grid, dir, ctx.missionId);
    expectOnDisk(f.path, f, Buffer.from(JSON.stringify(strandingGeoJson(report, result.timesSec, grid, ctx.missionId)), 'utf8'));
  });

  it('search_plan.geojson and .kml: the bytes the writer made from the whole documents before', async () => {
    const mp = planMission(result, search);
    if (mp === null) throw new Error('no plan');
    expect(mp.plan.units).toHaveLength(2);
    const files = await writeSearchPlanFiles(mp, dir, ctx.missionId);
    const geo = written(files, 'search_plan_geojson');
    const whole = JSON.stringify({ ...searchPlanGeoJson(mp.plan, mp.windows), mission_id: ctx.missionId, skipped_units: mp.skipped });
    expectOnDisk(geo.path, geo, Buffer.from(whole, 'utf8'));
    const kml = written(files, 'search_plan_kml');
    expectOnDisk(kml.path, kml, Buffer.from(searchPlanKml(mp.plan, mp.windows, `Search plan — mission ${ctx.missionId}`), 'utf8'));
  });

  it('summary.json: the bytes of JSON.stringify(buildSummary(…), null, 2) and a newline', async () => {
    const report = strandingReport(result, grid, weights);
    const products = await writeSearchAreaFiles(result, grid, ctx, dir, [50, 90, 95], weights, set);
    const opts: SummaryOptions = {
      timingsMs: { simulation: 1234, summary: 5 },
      warnings: ctx.warnings,
      grid,
      products,
      search: { datums: set.datums, mission: searchSummary(search, planMission(result, search)), areas: set.areas },
      stranding: strandingSummary(report, result.timesSec),
    };
    const file = path.join(dir, 'products/summary.json');
    const w = await writeSummary(result, ctx, file, opts);
    expectOnDisk(file, w, Buffer.from(`${JSON.stringify(buildSummary(result, ctx, opts), null, 2)}\n`, 'utf8'));
  });

  it('search_areas.kmz: streamed by fflate, opens with fflate, recorded sha256 = the file; doc.kml = searchAreasKml with the overlays', async () => {
    const { file } = await writeSearchAreasKmz(result, grid, ctx, dir, set, weights);
    const disk = readFileSync(file.path);
    expect(file.sha256).toBe(sha256(disk));
    expect(file.bytes).toBe(disk.length);
    const entries = unzipSync(disk);
    const names = Object.keys(entries);
    expect(names[0]).toBe('doc.kml');
    expect(names.filter((n) => /^files\/probability_\d{3}\.png$/.test(n))).toHaveLength(result.nTimes);
    const content = await buildSearchAreasKmz(result, grid, ctx, set, weights);
    expect(Buffer.from(entries['doc.kml'] ?? []).toString('utf8')).toBe(searchAreasKml(set, ctx, result, content.overlays));
    // Every entry as built, byte for byte (PNG signature first: stored, not deflated).
    for (const e of content.entries()) {
      if (e.name === 'doc.kml') continue;
      const [png] = [...e.pieces];
      expect(Buffer.compare(Buffer.from(entries[e.name] ?? []), Buffer.from(png ?? ''))).toBe(0);
    }
  });

  it('writes a product from an async producer too', async () => {
    async function* pieces(): AsyncGenerator<string> {
      for (let i = 0; i < 1000; i++) yield `${i},`;
    }
    const f = await writeProductPieces(dir, 'search_plan_kml', pieces());
    expectOnDisk(f.path, f, Buffer.from(Array.from({ length: 1000 }, (_, i) => `${i},`).join(''), 'utf8'));
  });
});
