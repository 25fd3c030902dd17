/**
 * NetCDF-3 reader from a file handle: CDF-1 (classic), CDF-2 (64-bit offset) and CDF-5 (64-bit data),
 * following the NetCDF classic format specification. Only the header is parsed up front (read in
 * growing pieces from the start of the file); data are read with positioned reads, hyperslab by
 * hyperslab, so a file of any size costs only the bytes of the window a mission needs.
 *
 * Our own parser rather than netcdfjs: netcdfjs parses a Buffer holding the file and refuses 64-bit
 * offsets above 4 GiB ("offsets larger than 4GB not supported"), which 64-bit-offset forcing files
 * larger than 4 GiB need. netcdfjs remains the test oracle for headers (test/integration/forcing-netcdf3.test.ts).
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import type { ByteSource } from './byte-source.js';
import { NC_ATTRIBUTE, NC_DIMENSION, NC_STREAMING, NC_TYPES, NC_VARIABLE } from './format.js';
import type { AttrValue, NcFile, NcVariable } from './reader-types.js';

/** What the reader needs of a file (src/storage/byte-source.ts): a FileHandle, or an S3 object's ranged reads. */
export type Nc3Source = ByteSource;

const TYPES = NC_TYPES;
const STREAMING = NC_STREAMING;

export interface Nc3Variable extends NcVariable {
  type: string;
  /** Byte offset of the variable's data (of its first record, for record variables). */
  begin: number;
  record: boolean;
}

export interface Nc3Header {
  version: 1 | 2 | 5;
  numRecs: number;
  /** Bytes between two records of one record variable. */
  recordBytes: number;
  recordDim: string | null;
  variables: Map<string, Nc3Variable>;
  globalAttrs: Record<string, AttrValue>;
}

/** Thrown by the cursor when the header runs past the bytes read so far. */
class NeedMore extends Error {}

class Cursor {
  pos = 0;
  constructor(
    private readonly buf: Buffer,
    private readonly complete: boolean,
  ) {}
  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      if (this.complete) throw new Error('header is truncated');
      throw new NeedMore();
    }
  }
  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('a 64-bit size or offset exceeds 2^53');
    return Number(v);
  }
  bytes(n: number): Buffer {
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n + ((4 - (n % 4)) % 4);
    return b;
  }
}

function parseHeader(buf: Buffer, complete: boolean, fileSize: number): Nc3Header {
  const c = new Cursor(buf, complete);
  const magic = c.bytes(4);
  const version = magic[3] as 1 | 2 | 5;
  if (magic.toString('latin1', 0, 3) !== 'CDF' || ![1, 2, 5].includes(version)) throw new Error('not a NetCDF-3 file');
  const count = version === 5 ? () => c.u64() : () => c.u32();
  const name = () => c.bytes(count()).toString('utf8');
  const numRecsRaw = version === 5 ? c.u64() : c.u32();

  const dims: Array<{ name: string; size: number }> = [];
  let recordDimId = -1;
  const tag = c.u32();
  const nDims = count();
  if (tag === NC_DIMENSION) {
    for (let d = 0; d < nDims; d++) {
      const n = name();
      const size = count();
      if (size === 0) recordDimId = d;
      dims.push({ name: n, size });
    }
  } else if (tag !== 0 || nDims !== 0) throw new Error(`bad dimension list tag ${tag}`);
  const dimension = (id: number, user: string) => {
    const dim = dims[id];
    if (dim === undefined) throw new Error(`${user} uses dimension id ${id}, but the file has ${dims.length} dimensions`);
    return dim;
  };

  const attrs = (): Record<string, AttrValue> => {
    const out: Record<string, AttrValue> = {};
    const t = c.u32();
    const n = count();
    if (t === 0 && n === 0) return out;
    if (t !== NC_ATTRIBUTE) throw new Error(`bad attribute list tag ${t}`);
    for (let a = 0; a < n; a++) {
      const key = name();
      const type = TYPES[c.u32()];
      if (!type) throw new Error(`attribute ${key} has an unknown type`);
      const len = count();
      const raw = c.bytes(len * type.size);
      if (type.name === 'char') {
        out[key] = raw.toString('utf8').replace(/\0+$/, '');
        continue;
      }
      const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      const vals = Array.from({ length: len }, (_, i) => readValue(dv, type.name, i * type.size));
      const [first, ...rest] = vals;
      out[key] = first !== undefined && rest.length === 0 ? first : vals;
    }
    return out;
  };
  const globalAttrs = attrs();

  const variables = new Map<string, Nc3Variable>();
  const vtag = c.u32();
  const nVars = count();
  if (vtag !== NC_VARIABLE && !(vtag === 0 && nVars === 0)) throw new Error(`bad variable list tag ${vtag}`);
  const recordVars: Nc3Variable[] = [];
  let recordBytes = 0;
  for (let v = 0; v < nVars; v++) {
    const key = name();
    const nd = count();
    const ids = Array.from({ length: nd }, () => count());
    const vattrs = attrs();
    const type = TYPES[c.u32()];
    if (!type) throw new Error(`variable ${key} has an unknown type`);
    // vsize is 2^32-1 for variables too large for 32 bits (CDF-1/2): the shape gives the real size.
    if (version === 5) c.u64();
    else c.u32();
    const begin = version === 1 ? c.u32() : c.u64();
    const record = nd > 0 && ids[0] === recordDimId;
    const variable: Nc3Variable = {
      name: key,
      dims: ids.map((i) => dimension(i, key).name),
      shape: ids.map((i) => dimension(i, key).size),
      attrs: vattrs,
      type: type.name,
      begin,
      record,
    };
    if (record) {
      recordVars.push(variable);
      // Each record of each record variable is padded to 4 bytes...
      const bytes = variable.shape.slice(1).reduce((a, b) => a * b, 1) * type.size;
      recordBytes += bytes + ((4 - (bytes % 4)) % 4);
    }
    variables.set(key, variable);
  }
  // ...except when there is only one record variable (specification, "Note on padding").
  if (recordVars.length === 1) {
    const [v] = recordVars;
    if (v !== undefined) recordBytes = v.shape.slice(1).reduce((a, b) => a * b, 1) * (TYPES_BY_NAME[v.type] ?? NaN);
  }
  let numRecs = numRecsRaw;
  if (numRecsRaw === STREAMING && version !== 5 && recordVars.length > 0 && recordBytes > 0) {
    // A file still being written (streaming): as many records as the file holds.
    numRecs = Math.floor((fileSize - Math.min(...recordVars.map((v) => v.begin))) / recordBytes);
  }
  for (const v of variables.values()) if (v.record) v.shape[0] = numRecs;
  return { version, numRecs, recordBytes, recordDim: recordDimId >= 0 ? dimension(recordDimId, 'the record dimension').name : null, variables, globalAttrs };
}

const TYPES_BY_NAME: Record<string, number> = Object.fromEntries(Object.values(TYPES).map((t) => [t.name, t.size]));

function readValue(dv: DataView, type: string, b: number): number {
  switch (type) {
    case 'byte':
      return dv.getInt8(b);
    case 'ubyte':
    case 'char':
      return dv.getUint8(b);
    case 'short':
      return dv.getInt16(b);
    case 'ushort':
      return dv.getUint16(b);
    case 'int':
      return dv.getInt32(b);
    case 'uint':
      return dv.getUint32(b);
    case 'float':
      return dv.getFloat32(b);
    case 'int64':
      return Number(dv.getBigInt64(b));
    case 'uint64':
      return Number(dv.getBigUint64(b));
    default:
      return dv.getFloat64(b);
  }
}

const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A host-order typed view of `buf` for the types that swap cleanly (all but the 64-bit integers). */
function nativeView(buf: Buffer, type: string): ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> } | null {
  if (!LITTLE_ENDIAN_HOST) return null;
  const { buffer, byteOffset, byteLength } = buf;
  switch (type) {
    case 'byte':
      return new Int8Array(buffer, byteOffset, byteLength);
    case 'ubyte':
      return new Uint8Array(buffer, byteOffset, byteLength);
    case 'short':
      return new Int16Array(buffer, byteOffset, byteLength / 2);
    case 'ushort':
      return new Uint16Array(buffer, byteOffset, byteLength / 2);
    case 'int':
      return new Int32Array(buffer, byteOffset, byteLength / 4);
    case 'uint':
      return new Uint32Array(buffer, byteOffset, byteLength / 4);
    case 'float':
      return new Float32Array(buffer, byteOffset, byteLength / 4);
    case 'double':
      return new Float64Array(buffer, byteOffset, byteLength / 8);
    default:
      return null;
  }
}

/** Reads the header from the start of `fh`, growing the read ×4 from 64 KiB until it parses. */
export async function readNetcdf3Header(fh: Nc3Source): Promise<Nc3Header> {
  const fileSize = (await fh.stat()).size;
  for (let len = Math.min(fileSize, 64 * 1024); ; len = Math.min(fileSize, len * 4)) {
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, 0);
    try {
      return parseHeader(buf.subarray(0, bytesRead), len >= fileSize, fileSize);
    } catch (err) {
      if (!(err instanceof NeedMore)) throw err;
    }
  }
}

/** An NcFile over a NetCDF-3 file handle (the handle is closed by `close()`). */
export async function openNetcdf3(fh: Nc3Source, path: string, label: string): Promise<NcFile & { header: Nc3Header }> {
  const header = await readNetcdf3Header(fh);
  const { variables, recordBytes } = header;
  return {
    path,
    format: 'netcdf3',
    header,
    variables,
    globalAttrs: header.globalAttrs,
    async read(name, start, count) {
      const v = variables.get(name);
      if (!v) throw new Error(`no variable ${name}`);
      const size = TYPES_BY_NAME[v.type];
      if (size === undefined || v.type === 'char') throw new Error(`variable ${name} has type ${v.type}, not numeric`);
      const nd = v.shape.length;
      const st = start ?? v.shape.map(() => 0);
      const ct = count ?? v.shape.slice();
      for (let d = 0; d < nd; d++) {
        if ((st[d] ?? NaN) < 0 || (ct[d] ?? NaN) < 0 || (st[d] ?? NaN) + (ct[d] ?? NaN) > (v.shape[d] ?? NaN)) throw new Error(`hyperslab of ${name} is outside its shape ${v.shape.join('×')}`);
      }
      const total = ct.reduce((a, b) => a * b, 1);
      const out = new Float64Array(total);
      if (total === 0) return out;
      // The innermost two dims are read as one contiguous span per outer index (full rows between the
      // first and last wanted row): one read per record instead of one per row. The record dimension is
      // always an outer one: records of different record variables are interleaved.
      const inner = Math.min(2, nd - (v.record ? 1 : 0));
      const outerDims = nd - inner;
      const nxFull = inner >= 1 ? (v.shape[nd - 1] ?? NaN) : 1;
      const cx = inner >= 1 ? (ct[nd - 1] ?? NaN) : 1;
      const x0 = inner >= 1 ? (st[nd - 1] ?? NaN) : 0;
      const cy = inner === 2 ? (ct[nd - 2] ?? NaN) : 1;
      const y0 = inner === 2 ? (st[nd - 2] ?? NaN) : 0;
      const plane = inner === 2 ? (v.shape[nd - 2] ?? NaN) * nxFull : nxFull;
      const spanElems = (cy - 1) * nxFull + cx;
      // 8-byte aligned, so the swapped bytes can be viewed as a typed array of the variable's type.
      const buf = Buffer.from(new ArrayBuffer(spanElems * size));
      const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      const view = nativeView(buf, v.type);
      const outerCount = ct.slice(0, outerDims);
      const nOuter = outerCount.reduce((a, b) => a * b, 1);
      const idx = new Array<number>(outerDims).fill(0);
      let o = 0;
      for (let n = 0; n < nOuter; n++) {
        // Byte position of element (idx..., y0, x0).
        let pos = v.begin;
        let flat = 0;
        for (let d = 0; d < outerDims; d++) {
          const i = (st[d] ?? NaN) + (idx[d] ?? NaN);
          if (d === 0 && v.record) pos += i * recordBytes;
          else flat = flat * (v.shape[d] ?? NaN) + i;
        }
        pos += (flat * plane + y0 * nxFull + x0) * size;
        const { bytesRead } = await fh.read(buf, 0, buf.length, pos);
        if (bytesRead < buf.length) throw new Error(`file ${label} is truncated (variable ${name})`);
        if (view) {
          // Big-endian on disk -> host order in place, then whole rows at a time (~memcpy speed).
          if (size === 2) buf.swap16();
          else if (size === 4) buf.swap32();
          else if (size === 8) buf.swap64();
          // Whole rows wanted: one copy of the span (a per-row subarray costs an allocation per row,
          // 100 000 per variable for a trajectory × time read of particles.nc).
          if (cx === nxFull) {
            out.set(view.subarray(0, cy * cx), o);
            o += cy * cx;
          } else {
            for (let y = 0; y < cy; y++, o += cx) out.set(view.subarray(y * nxFull, y * nxFull + cx), o);
          }
        } else {
          for (let y = 0; y < cy; y++) {
            for (let x = 0; x < cx; x++) out[o++] = readValue(dv, v.type, (y * nxFull + x) * size);
          }
        }
        for (let d = outerDims - 1; d >= 0; d--) {
          const next = (idx[d] ?? NaN) + 1;
          if (next < (outerCount[d] ?? NaN)) {
            idx[d] = next;
            break;
          }
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
