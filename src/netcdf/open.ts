/**
 * One small interface over the two NetCDF encodings a forcing file may use, chosen by magic bytes:
 *  - NetCDF-3 classic / 64-bit offset / 64-bit data (`CDF\x01`, `CDF\x02`, `CDF\x05`): netcdf3.ts
 *    parses the header from the first bytes of the file and reads data with positioned reads,
 *    hyperslab by hyperslab, so a multi-gigabyte file is never loaded whole.
 *  - NetCDF-4 (HDF5, `\x89HDF`): h5wasm's node build reads the real file system (NODERAWFS), so HDF5
 *    reads only the chunks a hyperslab touches.
 * Values come back raw (before scale_factor/add_offset/_FillValue), row-major, as Float64Array.
 */
import { open } from 'node:fs/promises';
import { DriftlineError } from '../errors.js';
import { openNetcdf3 } from './read3.js';
import type { AttrValue, NcFile, NcVariable } from './reader-types.js';

export type { AttrValue, NcFile, NcVariable };

export async function openNetcdf(path: string, label = path): Promise<NcFile> {
  const fh = await open(path, 'r').catch((err: unknown) => {
    throw new DriftlineError('E_FORCING_INVALID', `forcing file ${label}: cannot open: ${(err as Error).message}`, { cause: err });
  });
  const magic = Buffer.alloc(4);
  await fh.read(magic, 0, 4, 0);
  if (magic[0] === 0x43 && magic[1] === 0x44 && magic[2] === 0x46 && (magic[3] === 1 || magic[3] === 2 || magic[3] === 5)) {
    try {
      return await openNetcdf3(fh, path, label);
    } catch (err) {
      await fh.close();
      throw new DriftlineError('E_FORCING_INVALID', `forcing file ${label}: bad NetCDF-3 header: ${(err as Error).message}`, { cause: err });
    }
  }
  await fh.close();
  if (magic[0] === 0x89 && magic[1] === 0x48 && magic[2] === 0x44 && magic[3] === 0x46) return openNetcdf4(path, label);
  // Never the bytes themselves: they would tell a job what any file it can name begins with.
  throw new DriftlineError('E_FORCING_INVALID', `forcing file ${label}: not a NetCDF file (neither a NetCDF-3 nor an HDF5 signature)`);
}

// ---------------------------------------------------------------------------------------------------
// NetCDF-4 / HDF5

type H5 = typeof import('h5wasm/node').default;
let h5Promise: Promise<H5> | undefined;

/** h5wasm, initialised once per process. */
export async function loadH5wasm(): Promise<H5> {
  h5Promise ??= (async () => {
    const mod = (await import('h5wasm/node')).default;
    await mod.ready;
    return mod;
  })();
  return h5Promise;
}

/** HDF5/netCDF-4 bookkeeping attributes that are not CF metadata (some hold references h5wasm cannot decode). */
const H5_INTERNAL_ATTRS = new Set(['DIMENSION_LIST', 'REFERENCE_LIST', 'CLASS', 'NAME', '_Netcdf4Dimid', '_Netcdf4Coordinates', '_nc3_strict', '_NCProperties']);

function attrValue(raw: unknown): AttrValue | undefined {
  if (typeof raw === 'string' || typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (Array.isArray(raw)) {
    if (raw.every((x) => typeof x === 'string')) return raw.join('');
    return scalarOrList(raw.map(Number));
  }
  if (ArrayBuffer.isView(raw)) {
    return scalarOrList(Array.from(raw as unknown as ArrayLike<number | bigint>, Number));
  }
  return undefined;
}

/** A one-element list as its number, as netCDF attributes are read; longer lists as they are. */
function scalarOrList(nums: number[]): number | number[] {
  const [first, ...rest] = nums;
  return first !== undefined && rest.length === 0 ? first : nums;
}

async function openNetcdf4(path: string, label: string): Promise<NcFile> {
  const h5 = await loadH5wasm();
  let file: InstanceType<H5['File']>;
  try {
    file = new h5.File(path, 'r');
  } catch (err) {
    throw new DriftlineError('E_FORCING_INVALID', `forcing file ${label}: HDF5 open failed: ${(err as Error).message}`, { cause: err });
  }
  const variables = new Map<string, NcVariable>();
  const readAttrs = (obj: { attrs: Record<string, { value: unknown }> }): Record<string, AttrValue> => {
    const out: Record<string, AttrValue> = {};
    let attrs: Record<string, { value: unknown }>;
    try {
      attrs = obj.attrs;
    } catch {
      return out;
    }
    for (const key of Object.keys(attrs)) {
      if (H5_INTERNAL_ATTRS.has(key)) continue;
      try {
        const attr = attrs[key];
        const val = attr === undefined ? undefined : attrValue(attr.value);
        if (val !== undefined) out[key] = val;
      } catch {
        // An attribute type h5wasm cannot decode is not one CF needs.
      }
    }
    return out;
  };
  for (const key of file.keys()) {
    const ds = file.get(key);
    if (!(ds instanceof h5.Dataset)) continue;
    const shape = ds.shape ?? [];
    const dims = shape.map((_, i) => {
      try {
        const [scale] = ds.get_attached_scales(i);
        if (scale !== undefined) return scale.replace(/^.*\//, '');
      } catch {
        // no dimension scale attached
      }
      return shape.length === 1 && isScale(ds) ? key : `phony_dim_${i}`;
    });
    variables.set(key, { name: key, dims, shape, attrs: readAttrs(ds as never) });
  }
  const globalAttrs = readAttrs(file as never);
  return {
    path,
    format: 'netcdf4',
    variables,
    globalAttrs,
    async read(name, start, count) {
      const ds = file.get(name);
      if (!(ds instanceof h5.Dataset)) throw new Error(`no variable ${name}`);
      const shape = ds.shape ?? [];
      if (shape.length === 0) return Float64Array.of(Number(ds.value));
      const ranges = shape.map((n, d) => {
        const s = start?.[d] ?? 0;
        return [s, s + (count?.[d] ?? n - s)] as [number, number];
      });
      const data = ds.slice(ranges);
      if (data === null || typeof data !== 'object' || !ArrayBuffer.isView(data)) throw new Error(`variable ${name} is not numeric`);
      if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float64Array.from(data, Number);
      return new Float64Array(data as unknown as ArrayLike<number>);
    },
    async close() {
      file.close();
    },
  };
}

function isScale(ds: { get_scale_name(): string | null }): boolean {
  try {
    return ds.get_scale_name() !== null;
  } catch {
    return false;
  }
}
