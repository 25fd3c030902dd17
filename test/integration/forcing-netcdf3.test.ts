/**
 * Our NetCDF-3 header parser against two oracles: netcdfjs (same header fields for every test file) and
 * netCDF-C (ncdump values for layouts netcdfjs gets wrong or refuses).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { NetCDFReader } from 'netcdfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeNetcdf3 } from '../../scripts/make-forcing.lib.mjs';
import { openNetcdf3, readNetcdf3Header } from '../../src/netcdf/read3.js';
import { at } from '../helpers/indexed.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-nc3-'));
  const r = spawnSync(process.execPath, ['scripts/make-forcing', '--out', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make-forcing failed: ${r.stderr}`);
  // netCDF-C's own 64-bit-offset and classic renderings of a test file.
  for (const [kind, name] of [['64-bit-offset', 'cdf2.nc'], ['classic', 'classic.nc']]) {
    const c = spawnSync('nccopy', ['-k', kind!, path.join(dir, 'current_packed_desc.nc'), path.join(dir, name!)], { encoding: 'utf8' });
    if (c.status !== 0) throw new Error(c.stderr);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** ncdump's values of one numeric variable, in file order. */
function ncdumpValues(file: string, variable: string): number[] {
  const r = spawnSync('ncdump', ['-v', variable, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  const data = r.stdout.slice(r.stdout.indexOf('data:'));
  const body = data.slice(data.indexOf(`${variable} =`) + variable.length + 2, data.indexOf(';', data.indexOf(`${variable} =`)));
  return body
    .split(/[,\s]+/)
    .filter(Boolean)
    .map((x) => (x === '_' ? NaN : Number(x)));
}

describe('NetCDF-3 header parser', () => {
  it('agrees with netcdfjs on every variable of every NetCDF-3 test file (names, dims, types, offsets, attributes)', async () => {
    for (const name of ['wind_lonlat.nc', 'current_packed_desc.nc', 'current_polar_eddy.nc', 'cdf2.nc', 'classic.nc']) {
      const file = path.join(dir, name);
      const ref = new NetCDFReader(readFileSync(file));
      const fh = await open(file, 'r');
      const h = await readNetcdf3Header(fh);
      await fh.close();
      expect(h.numRecs, name).toBe(ref.header.recordDimension.length);
      expect(h.recordBytes, name).toBe(ref.header.recordDimension.recordStep);
      expect([...h.variables.keys()]).toEqual(ref.header.variables.map((v) => v.name));
      const dimNames = ref.header.dimensions.map((d) => d.name);
      for (const rv of ref.header.variables) {
        const v = h.variables.get(rv.name)!;
        expect(v.type, `${name} ${rv.name}`).toBe(rv.type);
        expect(v.begin, `${name} ${rv.name}`).toBe(rv.offset);
        expect(v.record).toBe(rv.record);
        expect(v.dims).toEqual(rv.dimensions.map((d: number) => dimNames[d]));
        for (const a of rv.attributes as Array<{ name: string; value: unknown }>) {
          const mine = v.attrs[a.name];
          if (typeof a.value === 'string') expect(mine).toBe(a.value.replace(/\0+$/, ''));
          else if (Array.isArray(a.value)) expect(mine).toEqual(a.value.length === 1 ? a.value[0] : a.value);
          else expect(mine).toBe(a.value);
        }
      }
      for (const a of ref.header.globalAttributes) expect(h.globalAttrs[a.name]).toEqual(a.value);
    }
  });

  it('reads hyperslabs with the same values as netCDF-C (packed shorts, record and fixed variables)', async () => {
    const file = path.join(dir, 'cdf2.nc');
    const fh = await open(file, 'r');
    const nc = await openNetcdf3(fh, file, 'cdf2.nc');
    try {
      // Raw shorts, including _FillValue (ncdump shows those as "_").
      const all = await nc.read('uo');
      const dumped = ncdumpValues(file, 'uo');
      const fill = nc.variables.get('uo')!.attrs._FillValue as number;
      expect(all.length).toBe(dumped.length);
      for (let i = 0; i < all.length; i++) expect(Number.isNaN(at(dumped, i)) ? fill : dumped[i]).toBe(all[i]);
      // A hyperslab: record 3, depth 1, rows 10..14, columns 20..26 -> the same elements of the full read.
      const [, nz, ny, nx] = nc.variables.get('uo')!.shape as [number, number, number, number];
      const part = await nc.read('uo', [3, 1, 10, 20], [1, 1, 5, 7]);
      let o = 0;
      for (let y = 10; y < 15; y++) for (let x = 20; x < 27; x++) expect(part[o++]).toBe(all[((3 * nz + 1) * ny + y) * nx + x]);
      expect(Array.from(await nc.read('lat'))).toEqual(ncdumpValues(file, 'lat').map(Math.fround));
      await expect(nc.read('uo', [0, 0, 0, 0], [1, 1, ny + 1, 1])).rejects.toThrow(/outside its shape/);
    } finally {
      await nc.close();
    }
  });

  it('a single record variable has unpadded records (where netcdfjs pads them)', async () => {
    // 3 shorts = 6 bytes per record: padded to 8 only when there are several record variables.
    const file = path.join(dir, 'one_record_var.nc');
    const values = Int16Array.from({ length: 5 * 3 }, (_, i) => i * 7 - 40);
    writeNetcdf3(file, {
      numRecs: 5,
      dims: [{ name: 'time', size: null }, { name: 'x', size: 3 }],
      vars: [{ name: 'level', type: 'short', dims: ['time', 'x'], data: values }],
    });
    expect(ncdumpValues(file, 'level')).toEqual(Array.from(values));
    const fh = await open(file, 'r');
    const nc = await openNetcdf3(fh, file, 'one_record_var.nc');
    expect(nc.header.recordBytes).toBe(6);
    expect(Array.from(await nc.read('level'))).toEqual(Array.from(values));
    expect(Array.from(await nc.read('level', [4, 1], [1, 2]))).toEqual([values[13], values[14]]);
    await nc.close();
    expect(new NetCDFReader(readFileSync(file)).header.recordDimension.recordStep).toBe(8);
  });

  it('a file still being written (numrecs = STREAMING) has as many records as its size holds', async () => {
    const file = path.join(dir, 'streaming.nc');
    const { copyFileSync, openSync, writeSync, closeSync } = await import('node:fs');
    copyFileSync(path.join(dir, 'wind_lonlat.nc'), file);
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.from([0xff, 0xff, 0xff, 0xff]), 0, 4, 4); // numrecs field, after the magic
    closeSync(fd);
    const fh = await open(file, 'r');
    const nc = await openNetcdf3(fh, file, 'streaming.nc');
    expect(nc.header.numRecs).toBe(25);
    expect(nc.variables.get('x_wind')!.shape[0]).toBe(25);
    expect((await nc.read('time')).length).toBe(25);
    await nc.close();
  });

  it('CDF-5 (64-bit data) headers and unsigned/64-bit types', async () => {
    const file = path.join(dir, 'cdf5.nc');
    const cdl = path.join(dir, 'cdf5.cdl');
    const { writeFileSync } = await import('node:fs');
    // (ncgen truncates int64 literals to 32 bits, so the values stay within int32; the type is what is tested.)
    writeFileSync(cdl, 'netcdf cdf5 { dimensions: time = UNLIMITED ; x = 3 ; variables: ushort u(time, x) ; u:units = "cm/s" ; int64 big(x) ; data: u = 1, 65535, 3, 4, 5, 6 ; big = -5, 0, 2000000000 ; }');
    const r = spawnSync('ncgen', ['-k', 'cdf5', '-o', file, cdl], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const fh = await open(file, 'r');
    const nc = await openNetcdf3(fh, file, 'cdf5.nc');
    expect(nc.header.version).toBe(5);
    expect(nc.variables.get('u')!.shape).toEqual([2, 3]);
    expect(nc.variables.get('u')!.attrs.units).toBe('cm/s');
    expect(Array.from(await nc.read('u'))).toEqual([1, 65535, 3, 4, 5, 6]);
    expect(Array.from(await nc.read('big'))).toEqual(ncdumpValues(file, 'big'));
    await nc.close();
  });
});
