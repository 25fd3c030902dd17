/**
 * Our netCDF-3 64-bit offset writer against real readers: the netCDF C library (ncdump/ncgen from Debian
 * netcdf-bin) and netcdfjs. No mocks: files go to a temporary directory and are read by those tools.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { DriftlineError } from '../../src/errors.js';
import { layoutFile, writeNetcdf, type NcDataset } from '../../src/netcdf/index.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-nc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FILL_F = 9.969209968386869e36;

/** Every external type, attributes of every type, a scalar, fill values and padding (byte/char/short). */
function allTypes(): NcDataset {
  return {
    dims: [
      { name: 'x', size: 5 },
      { name: 'y', size: 3 },
      { name: 'strlen', size: 7 },
    ],
    attrs: {
      title: 'all types',
      answer: { type: 'int', values: 42 },
      ratio: 0.25,
      shorts: { type: 'short', values: [1, -2] },
      bytes: { type: 'byte', values: [-128, 127] },
      floats: { type: 'float', values: [1.5, -0.125] },
      doubles: [1e-300, 2.5, -7],
    },
    vars: [
      { name: 'b', type: 'byte', dims: ['x'], attrs: { _FillValue: -1 }, values: new Int8Array([-128, 127, 0, 1, -1]) },
      { name: 'c', type: 'char', dims: ['strlen'], values: 'hello' },
      { name: 'sh', type: 'short', dims: ['x'], values: [1, -32768, 32767, 4, 5] },
      { name: 'i', type: 'int', dims: ['x'], values: new Int32Array([1, 2, -3, 2147483647, -2147483648]) },
      {
        name: 'f',
        type: 'float',
        dims: ['y', 'x'],
        attrs: { _FillValue: FILL_F, units: 'm' },
        values: new Float32Array(15).map((_, k) => (k === 7 ? NaN : k + 0.5)),
      },
      // Values that print exactly in CDL (multiples of 1/4), so ncgen can rebuild the file from ncdump.
      { name: 'd', type: 'double', dims: ['y', 'x'], values: new Float64Array(15).map((_, k) => k / 4 - 1) },
      { name: 'crs', type: 'int', dims: [], attrs: { grid_mapping_name: 'latitude_longitude' }, values: [0] },
    ],
  };
}

describe('netCDF-3 64-bit offset writer', () => {
  it('writes a file that ncdump reads as 64-bit offset, with every value', async () => {
    const file = path.join(dir, 'all.nc');
    await writeNetcdf(file, allTypes());
    expect(execFileSync('ncdump', ['-k', file], { encoding: 'utf8' }).trim()).toBe('64-bit offset');
    const cdl = execFileSync('ncdump', [file], { encoding: 'utf8' });
    expect(cdl).toMatch(/b = -128, 127, 0, 1, _ ;/); // -1 is the fill value: ncdump shows "_"
    expect(cdl).toMatch(/c = "hello" ;/);
    expect(cdl).toMatch(/sh = 1, -32768, 32767, 4, 5 ;/);
    expect(cdl).toMatch(/i = 1, 2, -3, 2147483647, -2147483648 ;/);
    expect(cdl).toMatch(/6\.5, _, 8\.5/); // NaN in a float variable with _FillValue is written as the fill
    expect(cdl).toMatch(/:shorts = 1s, -2s ;/);
    expect(cdl).toMatch(/:bytes = -128b, 127b ;/);
    expect(cdl).toMatch(/:floats = 1\.5f, -0\.125f ;/);
    expect(cdl).toMatch(/:answer = 42 ;/);
  });

  it('is byte for byte the file the netCDF C library (ncgen) writes from the same CDL', async () => {
    const file = path.join(dir, 'ours.nc');
    await writeNetcdf(file, allTypes());
    const cdlPath = path.join(dir, 'ours.cdl');
    execFileSync('sh', ['-c', `ncdump "${file}" > "${cdlPath}"`]);
    const ref = path.join(dir, 'ref.nc');
    execFileSync('ncgen', ['-k', '64-bit offset', '-o', ref, cdlPath]);
    // Same header grammar, same data offsets, same big-endian data and the same fill-value padding.
    expect(Buffer.compare(readFileSync(file), readFileSync(ref))).toBe(0);
  });

  it('reads back exactly with netcdfjs', async () => {
    const file = path.join(dir, 'back.nc');
    const ds = allTypes();
    await writeNetcdf(file, ds);
    const r = new NetCDFReader(readFileSync(file));
    expect(r.version).toBe('64-bit offset format');
    expect(r.dimensions).toEqual([
      { name: 'x', size: 5 },
      { name: 'y', size: 3 },
      { name: 'strlen', size: 7 },
    ]);
    expect(r.getAttribute('title')).toBe('all types');
    expect(r.getAttribute('answer')).toBe(42);
    expect(r.getAttribute('doubles')).toEqual([1e-300, 2.5, -7]);
    expect(r.variables.map((v) => [v.name, v.type])).toEqual([
      ['b', 'byte'],
      ['c', 'char'],
      ['sh', 'short'],
      ['i', 'int'],
      ['f', 'float'],
      ['d', 'double'],
      ['crs', 'int'],
    ]);
    // netcdfjs reads bytes unsigned, one array per byte, and returns whole padded slots (vsize / type
    // size): compare the first n.
    expect(r.getDataVariable('b').flat().slice(0, 5)).toEqual([128, 127, 0, 1, 255]);
    expect(r.getDataVariable('sh').slice(0, 5)).toEqual([1, -32768, 32767, 4, 5]);
    expect(r.getDataVariable('i')).toEqual([1, 2, -3, 2147483647, -2147483648]);
    const f = r.getDataVariable('f') as number[];
    const expectedF = new Float32Array(15).map((_, k) => (k === 7 ? FILL_F : k + 0.5));
    expect(f).toEqual(Array.from(expectedF)); // float32 values compared exactly
    expect(r.getDataVariable('d')).toEqual(Array.from(new Float64Array(15).map((_, k) => k / 4 - 1)));
    expect(r.getDataVariable('crs')).toEqual([0]);
  });

  it('lays out the header and data as the specification says (magic, 8-byte begins, 4-byte alignment)', () => {
    const layout = layoutFile(allTypes());
    expect([...layout.header.subarray(0, 4)]).toEqual([0x43, 0x44, 0x46, 0x02]);
    expect(layout.header.readUInt32BE(4)).toBe(0); // numrecs
    expect(layout.header.length % 4).toBe(0);
    let expectedBegin = layout.header.length;
    for (const v of layout.variables) {
      expect(v.begin).toBe(expectedBegin);
      expect(v.paddedBytes % 4).toBe(0);
      expectedBegin += v.paddedBytes;
    }
    expect(layout.fileBytes).toBe(expectedBegin);
    // byte(5) -> 8, char(7) -> 8, short(5) = 10 -> 12 bytes.
    expect(layout.variables.slice(0, 3).map((v) => v.paddedBytes)).toEqual([8, 8, 12]);
  });

  it('streams in chunks: many small chunks give the same file as one big one', async () => {
    const n = 10_001; // not a multiple of the chunk: exercises the last partial chunk
    const ds = (): NcDataset => ({
      dims: [{ name: 'n', size: n }],
      attrs: {},
      vars: [
        { name: 'v', type: 'float', dims: ['n'], attrs: { _FillValue: FILL_F }, values: new Float32Array(n).map((_, k) => Math.fround(k * 0.1)) },
        { name: 'id', type: 'int', dims: ['n'], values: (start, count, out) => { for (let i = 0; i < count; i++) out[i] = start + i + 1; } },
        { name: 's', type: 'short', dims: ['n'], values: new Uint16Array(n).map((_, k) => k % 1000) },
      ],
    });
    const small = path.join(dir, 'small-chunks.nc');
    const big = path.join(dir, 'big-chunks.nc');
    const chunkSizes: number[] = [];
    const res = await writeNetcdf(small, ds(), { chunkBytes: 64, onChunk: (c) => chunkSizes.push(c.bytes) });
    const resBig = await writeNetcdf(big, ds());
    // The checksum made while writing is the file's, whatever the chunking (1 565 writes, or a few).
    const onDisk = createHash('sha256').update(readFileSync(small)).digest('hex');
    expect(res.sha256).toBe(onDisk);
    expect(resBig.sha256).toBe(onDisk);
    // 10 001 floats in 16-float chunks = 626 chunks; the same for ints; shorts 32 per chunk = 313.
    expect(res.chunks).toBe(626 + 626 + 313);
    expect(Math.max(...chunkSizes)).toBe(64);
    expect(Buffer.compare(readFileSync(small), readFileSync(big))).toBe(0);
    const r = new NetCDFReader(readFileSync(small));
    expect((r.getDataVariable('id') as number[]).slice(-2)).toEqual([n - 1, n]);
  });

  it('keeps memory bounded while writing 80 MB computed on the fly', async () => {
    const n = 20_000_000; // 80 MB of float32, produced chunk by chunk by a filler
    const file = path.join(dir, 'large.nc');
    const base = process.memoryUsage().arrayBuffers;
    let peak = 0;
    const res = await writeNetcdf(
      file,
      {
        dims: [{ name: 'n', size: n }],
        attrs: {},
        vars: [{ name: 'v', type: 'float', dims: ['n'], values: (start, count, out) => { for (let i = 0; i < count; i++) out[i] = (start + i) % 4096; } }],
      },
      { onChunk: () => { peak = Math.max(peak, process.memoryUsage().arrayBuffers - base); } },
    );
    expect(res.bytes).toBeGreaterThan(80_000_000);
    expect(res.chunks).toBe(Math.ceil((n * 4) / (1 << 20)));
    // Two 1 MiB staging buffers plus Node's file-system bookkeeping; 16 MB is far below the 80 MB file.
    expect(peak).toBeLessThan(16 * 2 ** 20);
    // Spot-check the last value on disk (big-endian float at the end of the file).
    const tail = readFileSync(file).subarray(-4);
    expect(tail.readFloatBE(0)).toBe((n - 1) % 4096);
    rmSync(file);
  });

  it('rejects bad datasets before touching the file, naming the culprit', async () => {
    const file = path.join(dir, 'bad.nc');
    const bad = async (ds: NcDataset, message: RegExp) => {
      const err = await writeNetcdf(file, ds).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DriftlineError);
      expect((err as Error).message).toMatch(message);
      expect(existsSync(file) || existsSync(`${file}.partial`)).toBe(false);
    };
    await bad({ dims: [{ name: 'x', size: 2 }], attrs: {}, vars: [{ name: 'v', type: 'int', dims: ['x'], values: [1, 2, 3] }] }, /variable v has 3 values for 2 elements/);
    await bad({ dims: [{ name: 'x', size: 2 }], attrs: {}, vars: [{ name: 'v', type: 'int', dims: ['t'], values: [1] }] }, /undefined dimension t/);
    await bad({ dims: [{ name: 'x', size: 0 }], attrs: {}, vars: [] }, /dimension x has length 0/);
    await bad({ dims: [], attrs: { 'bad name': 'x' }, vars: [] }, /"bad name" is not a valid netCDF name/);
    await bad({ dims: [], attrs: { empty: [] }, vars: [] }, /attribute empty has no values/);
  });
});
