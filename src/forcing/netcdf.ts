/**
 * One small interface over the two NetCDF encodings a forcing file may use, chosen by magic bytes:
 *  - NetCDF-3 classic / 64-bit offset (`CDF\x01` / `CDF\x02`): the header is parsed by netcdfjs from
 *    the first bytes of the file only; data are read by us with positioned fs reads, hyperslab by
 *    hyperslab, so a multi-gigabyte file is never loaded whole. netcdfjs refuses variables that start
 *    beyond 4 GiB in 64-bit-offset files ("offsets larger than 4GB not supported"): such files fail
 *    with E_FORCING_INVALID naming that limit.
 *  - NetCDF-4 (HDF5, `\x89HDF`): h5wasm's node build reads the real file system (NODERAWFS), so HDF5
 *    reads only the chunks a hyperslab touches.
 * Values come back raw (before scale_factor/add_offset/_FillValue), row-major, as Float64Array.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { NetCDFReader } from 'netcdfjs';
import { DriftlineError } from '../errors.js';

export type AttrValue = string | number | number[];

export interface NcVariable {
  name: string;
  dims: string[];
  shape: number[];
  attrs: Record<string, AttrValue>;
}

export interface NcFile {
  path: string;
  format: 'netcdf3' | 'netcdf4';
  variables: Map<string, NcVariable>;
  globalAttrs: Record<string, AttrValue>;
  /** Raw values of the hyperslab start..start+count (one entry per dimension), row-major. */
  read(name: string, start?: number[], count?: number[]): Promise<Float64Array>;
  close(): Promise<void>;
}

export async function openNetcdf(path: string, label = path): Promise<NcFile> {
  const fh = await open(path, 'r').catch((err: unknown) => {
    throw new DriftlineError('E_FORCING_INVALID', `forcing file ${label}: cannot open: ${(err as Error).message}`, { cause: err });
  });
  const magic = Buffer.alloc(4);
  await fh.read(magic, 0, 4, 0);
  if (magic[0] === 0x43 && magic[1] === 0x44 && magic[2] === 0x46 && (magic[3] === 1 || magic[3] === 2)) {
    return openNetcdf3(fh, path, label);
  }
  await fh.close();
  if (magic[0] === 0x89 && magic[1] === 0x48 && magic[2] === 0x44 && magic[3] === 0x46) return openNetcdf4(path, label);
  if (magic[0] === 0x43 && magic[1] === 0x44 && magic[2] === 0x46 && magic[3] === 5) {
    throw new DriftlineError('E_FORCING_INVALID', `forcing file ${label}: NetCDF-3 64-bit data (CDF5) is not supported; convert with nccopy -k nc4`);
  }
  throw new DriftlineError('E_FORCING_INVALID', `forcing file ${label}: not a NetCDF file (magic bytes ${magic.toString('hex')})`);
}

// ---------------------------------------------------------------------------------------------------
// NetCDF-3

const NC3_SIZE: Record<string, number> = { byte: 1, char: 1, short: 2, int: 4, float: 4, double: 8 };

interface Nc3Var extends NcVariable {
  type: string;
  offset: number;
  record: boolean;
}

async function openNetcdf3(fh: FileHandle, path: string, label: string): Promise<NcFile> {
  const fileSize = (await fh.stat()).size;
  // Headers are usually a few kB; grow the read until netcdfjs parses it (at most the whole file).
  let reader: NetCDFReader | undefined;
  for (let len = Math.min(fileSize, 64 * 1024); ; len = Math.min(fileSize, len * 4)) {
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, 0);
    try {
      reader = new NetCDFReader(buf);
      break;
    } catch (err) {
      if (len >= fileSize) {
        await fh.close();
        throw new DriftlineError('E_FORCING_INVALID', `forcing file ${label}: bad NetCDF-3 header: ${(err as Error).message}`, { cause: err });
      }
    }
  }
  const header = reader.header;
  const numRecs = header.recordDimension.length;
  const recordStep = header.recordDimension.recordStep ?? 0;
  const dimNames = header.dimensions.map((d) => d.name);
  const dimSizes = header.dimensions.map((d, i) => (i === header.recordDimension.id ? numRecs : d.size));
  const variables = new Map<string, Nc3Var>();
  for (const v of header.variables) {
    const attrs: Record<string, AttrValue> = {};
    for (const a of v.attributes as Array<{ name: string; value: AttrValue }>) attrs[a.name] = a.value;
    variables.set(v.name, {
      name: v.name,
      dims: v.dimensions.map((d) => dimNames[d]!),
      shape: v.dimensions.map((d) => dimSizes[d]!),
      attrs,
      type: v.type,
      offset: v.offset,
      record: v.record,
    });
  }
  const globalAttrs: Record<string, AttrValue> = {};
  for (const a of header.globalAttributes) globalAttrs[a.name] = a.value as AttrValue;

  return {
    path,
    format: 'netcdf3',
    variables,
    globalAttrs,
    async read(name, start, count) {
      const v = variables.get(name);
      if (!v) throw new Error(`no variable ${name}`);
      const size = NC3_SIZE[v.type];
      if (size === undefined || v.type === 'char') throw new Error(`variable ${name} has type ${v.type}, not numeric`);
      const nd = v.shape.length;
      const st = start ?? v.shape.map(() => 0);
      const ct = count ?? v.shape.slice();
      const total = ct.reduce((a, b) => a * b, 1);
      const out = new Float64Array(total);
      if (total === 0) return out;
      // The innermost two dims are read as one contiguous span per outer index (full rows between the
      // first and last wanted row): one read per record instead of one per row.
      // The record dimension is always an outer one: records are interleaved with other record variables.
      const inner = Math.min(2, nd - (v.record ? 1 : 0));
      const outerDims = nd - inner;
      const nxFull = inner >= 1 ? v.shape[nd - 1]! : 1;
      const cx = inner >= 1 ? ct[nd - 1]! : 1;
      const x0 = inner >= 1 ? st[nd - 1]! : 0;
      const cy = inner === 2 ? ct[nd - 2]! : 1;
      const y0 = inner === 2 ? st[nd - 2]! : 0;
      const plane = inner === 2 ? v.shape[nd - 2]! * nxFull : nxFull;
      const spanElems = (cy - 1) * nxFull + cx;
      const buf = Buffer.alloc(spanElems * size);
      const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      const outerCount = ct.slice(0, outerDims);
      const nOuter = outerCount.reduce((a, b) => a * b, 1);
      const idx = new Array<number>(outerDims).fill(0);
      let o = 0;
      for (let n = 0; n < nOuter; n++) {
        // Byte position of element (idx..., y0, x0).
        let pos = v.offset;
        let flat = 0;
        for (let d = 0; d < outerDims; d++) {
          const i = st[d]! + idx[d]!;
          if (d === 0 && v.record) pos += i * recordStep;
          else flat = flat * v.shape[d]! + i;
        }
        pos += (flat * plane + y0 * nxFull + x0) * size;
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead < buf.length) throw new Error(`file ${label} is truncated (variable ${name})`);
        for (let y = 0; y < cy; y++) {
          for (let x = 0; x < cx; x++) {
            const b = (y * nxFull + x) * size;
            out[o++] = readBE(dv, v.type, b);
          }
        }
        for (let d = outerDims - 1; d >= 0; d--) {
          if (++idx[d]! < outerCount[d]!) break;
          idx[d] = 0;
        }
      }
      return out;
    },
    async close() {
      await fh.close();
    },
  };
}

function readBE(dv: DataView, type: string, b: number): number {
  switch (type) {
    case 'byte':
      return dv.getInt8(b);
    case 'short':
      return dv.getInt16(b);
    case 'int':
      return dv.getInt32(b);
    case 'float':
      return dv.getFloat32(b);
    default:
      return dv.getFloat64(b);
  }
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
    const nums = raw.map(Number);
    return nums.length === 1 ? nums[0]! : nums;
  }
  if (ArrayBuffer.isView(raw)) {
    const nums = Array.from(raw as unknown as ArrayLike<number | bigint>, Number);
    return nums.length === 1 ? nums[0]! : nums;
  }
  return undefined;
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
        const val = attrValue(attrs[key]!.value);
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
        const scales = ds.get_attached_scales(i);
        if (scales.length > 0) return scales[0]!.replace(/^.*\//, '');
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
