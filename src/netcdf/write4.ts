/**
 * Writes the same NcDataset as write.ts as a netCDF-4 file (HDF5 with the netCDF-4 conventions), with
 * every variable chunked along its first dimension and deflated. Made with h5wasm's HDF5 (node build,
 * NODERAWFS: HDF5 writes the real file, not an in-memory copy).
 *
 * netCDF-4 conventions followed, as netCDF-C reads them: each dimension is the dimension scale of its
 * coordinate variable (a 1-D variable of the same name; every dimension needs one here, which the
 * trajectory and density products have), every other variable has its dimensions attached in order
 * (DIMENSION_LIST), groups and attributes track creation order (netCDF-C lists variables and attributes
 * in that order), text attributes are fixed-length UTF-8 strings (netCDF-C reads them as NC_CHAR, like
 * the NetCDF-3 file; with the ASCII character set h5wasm and h5py would decode UTF-8 text as Latin-1), numeric attributes take the types the NetCDF-3 writer gives them. The
 * format is bounded to HDF5 1.8 objects (libver v108) so that any HDF5 ≥ 1.8 library opens it.
 *
 * Streaming: a variable is created empty (shape 0 along its first dimension, max shape the full size),
 * extended to its size, then written one chunk at a time with a hyperslab, so every HDF5 chunk is
 * complete when written and compressed once. Memory beyond the caller's arrays is one staging chunk
 * in JS, its copy in the WASM heap and HDF5's chunk cache (1 MiB per dataset by default).
 *
 * Values are staged by the same code as the NetCDF-3 writer (write.ts), so both files hold the same
 * numbers: a NaN in a float variable with a numeric, non-NaN _FillValue is written as that fill.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { DriftlineError } from '../errors.js';
import { loadH5wasm } from './open.js';
import { layoutFile, numericAttribute } from './header.js';
import { chunkView, nanReplacement, stager } from './write3.js';
import { NC_TYPE_BYTES, type NcAttrValue, type NcAttributes, type NcDataset, type NcType } from './types.js';

/**
 * Target raw bytes per HDF5 chunk: 512 KiB, under HDF5's default 1 MiB chunk cache, and large enough
 * that deflate sees long runs (a per-particle constant repeated along 49 records). Measured on the
 * trajectory file (100 000 × 49, load ~6): 2 MiB chunks wrote in 7.4 s against 8.1 s, same size.
 */
export const NC4_CHUNK_BYTES = 1 << 19;

/**
 * zlib level 1. Measured on particles.nc 100 000 × 49 (load ~6): level 1 94.8 MB in 8.1 s, level 4
 * 94.1 MB in 11.7 s, level 6 93.5 MB in 17.1 s: the gain is the repeated per-particle values and the
 * fill, which any level finds; the random low bits of lon/lat do not compress at any level.
 */
export const NC4_DEFLATE_LEVEL = 1;

export interface WriteNetcdf4Options {
  chunkBytes?: number;
  deflateLevel?: number;
  /** Called after each chunk is handed to HDF5 (tests use it to watch memory). */
  onChunk?: (info: { variable: string; bytes: number }) => void;
}

export interface WriteNetcdf4Result {
  bytes: number;
  chunks: number;
}

/** h5wasm dtype strings: '<b' int8, '<h' int16, '<i' int32, '<f' float32, '<d' float64. */
const H5_DTYPE: Record<Exclude<NcType, 'char'>, string> = { byte: '<b', short: '<h', int: '<i', float: '<f', double: '<d' };

function typedArrayOf(type: Exclude<NcType, 'char'>, values: readonly number[]): Int8Array | Int16Array | Int32Array | Float32Array | Float64Array {
  switch (type) {
    case 'byte':
      return Int8Array.from(values);
    case 'short':
      return Int16Array.from(values);
    case 'int':
      return Int32Array.from(values);
    case 'float':
      return Float32Array.from(values);
    case 'double':
      return Float64Array.from(values);
  }
}

interface H5AttrTarget {
  create_attribute(name: string, data: unknown, shape?: number[] | null, dtype?: string | null): void;
}

function invalid(message: string): DriftlineError {
  return new DriftlineError('E_INTERNAL', `netCDF-4 writer: ${message}`);
}

/** Same types as the NetCDF-3 header (header.ts attributeBytes): text is char, numbers double or the variable's type. */
function writeAttribute(target: H5AttrTarget, name: string, value: NcAttrValue, variableType: NcType | null): void {
  if (typeof value === 'string') {
    const bytes = Buffer.byteLength(value, 'utf8');
    // HDF5 has no zero-length fixed string; netCDF-C reads a 1-byte NUL-terminated string as "".
    target.create_attribute(name, value, null, `S${Math.max(1, bytes)}`);
    return;
  }
  const { type, values } = numericAttribute(name, value, variableType);
  target.create_attribute(name, typedArrayOf(type, values), [values.length], H5_DTYPE[type]);
}

function writeAttributes(target: H5AttrTarget, attrs: NcAttributes | undefined, variableType: NcType | null): void {
  for (const [name, value] of Object.entries(attrs ?? {})) writeAttribute(target, name, value, variableType);
}

/** Write `ds` to `filePath` as netCDF-4 (HDF5) with deflate. Returns the size written. */
export async function writeNetcdf4(filePath: string, ds: NcDataset, opts: WriteNetcdf4Options = {}): Promise<WriteNetcdf4Result> {
  const chunkBytes = opts.chunkBytes ?? NC4_CHUNK_BYTES;
  const level = opts.deflateLevel ?? NC4_DEFLATE_LEVEL;
  const layout = layoutFile(ds); // the NetCDF-3 checks: names, dimensions, value counts
  const staged = layout.variables.map((l) => ({ l, stage: stager(l) }));
  const dimSize = new Map(ds.dims.map((d) => [d.name, d.size]));
  const varNames = new Set(ds.vars.map((v) => v.name));
  for (const d of ds.dims) {
    const coord = ds.vars.find((v) => v.name === d.name);
    if (coord === undefined || coord.dims.length !== 1 || coord.dims[0] !== d.name) {
      throw invalid(`dimension ${d.name} has no coordinate variable ${d.name}(${d.name})`);
    }
  }
  for (const v of ds.vars) if (v.type === 'char') throw invalid(`variable ${v.name}: char variables are not supported`);

  const h5 = await loadH5wasm();
  const tmpPath = `${filePath}.partial`;
  await rm(tmpPath, { force: true });
  let chunks = 0;
  const file = new h5.File(tmpPath, 'w', { track_order: true, libver: ['v108', 'v108'] });
  try {
    writeAttributes(file, ds.attrs, null);
    // Coordinate variables first: the scales must exist before other variables attach them. Their
    // order in the file is still the dataset's order (netCDF-C sorts by creation order).
    for (const { l, stage } of staged) {
      const v = l.variable;
      const type = v.type as Exclude<NcType, 'char'>;
      // layoutFile checked every dimension name; a miss here is a bug, said as one.
      const shape = v.dims.map((d) => {
        const size = dimSize.get(d);
        if (size === undefined) throw new DriftlineError('E_INTERNAL', `netCDF-4 writer: variable ${v.name} names unknown dimension ${d}`);
        return size;
      });
      const size = NC_TYPE_BYTES[type];
      const inner = shape.slice(1).reduce((a, b) => a * b, 1);
      const nRows = shape[0]; // undefined for a scalar
      const rowsPerChunk = nRows === undefined ? 1 : Math.max(1, Math.min(nRows, Math.floor(chunkBytes / Math.max(1, inner * size))));
      const chunked = nRows !== undefined && l.count > 0;
      const dtype = H5_DTYPE[type];
      const empty = typedArrayOf(type, []);
      const ds5 = chunked
        ? file.create_dataset({
            name: v.name,
            data: empty,
            shape: [0, ...shape.slice(1)],
            maxshape: shape,
            chunks: [rowsPerChunk, ...shape.slice(1)],
            compression: 'gzip',
            compression_opts: level,
            dtype,
            track_order: true,
          })
        : file.create_dataset({ name: v.name, data: empty, shape, dtype, track_order: true });
      if (ds5 === null || !('write_slice' in ds5)) throw invalid(`variable ${v.name}: h5wasm did not create a dataset`);
      if (chunked && nRows !== undefined) {
        ds5.resize(shape);
        const rowElems = inner;
        const buf = new ArrayBuffer(rowsPerChunk * rowElems * size);
        const nanFill = nanReplacement(v);
        for (let row = 0; row < nRows; row += rowsPerChunk) {
          const rows = Math.min(rowsPerChunk, nRows - row);
          const n = rows * rowElems;
          const view = chunkView(type, buf, n);
          stage(row * rowElems, n, view);
          if (nanFill !== null) {
            const f = view as Float32Array | Float64Array;
            for (let i = 0; i < n; i++) if (f[i] !== f[i]) f[i] = nanFill;
          }
          ds5.write_slice([[row, row + rows], ...shape.slice(1).map((s): [number, number] => [0, s])], view);
          chunks++;
          opts.onChunk?.({ variable: v.name, bytes: n * size });
        }
      }
      writeAttributes(ds5, v.attrs, v.type);
      if (v.dims.length === 1 && v.dims[0] === v.name) ds5.make_scale(v.name);
    }
    // Attach after every scale exists (a coordinate variable may come after a variable using it).
    for (const v of ds.vars) {
      if (v.dims.length === 1 && v.dims[0] === v.name) continue;
      const ds5 = file.get(v.name);
      if (ds5 === null || !('attach_scale' in ds5)) throw invalid(`variable ${v.name} missing after writing`);
      v.dims.forEach((d, i) => {
        if (!varNames.has(d)) throw invalid(`variable ${v.name}: dimension ${d} has no coordinate variable`);
        ds5.attach_scale(i, `/${d}`);
      });
    }
    file.close();
  } catch (err) {
    try {
      file.close();
    } catch {
      // already closed or never opened: the error that matters is err
    }
    await rm(tmpPath, { force: true });
    throw err;
  }
  await rename(tmpPath, filePath);
  const { size } = await stat(filePath);
  return { bytes: size, chunks };
}
