/**
 * The header of a CDF-2 (64-bit offset) netCDF file, and the layout of the fixed-size variables' data
 * after it. Grammar (netCDF classic format specification):
 *
 *   header   = magic numrecs dim_list gatt_list var_list
 *   dim_list = ABSENT | NC_DIMENSION nelems [name dim_length ...]
 *   att_list = ABSENT | NC_ATTRIBUTE nelems [name nc_type nelems values+padding ...]
 *   var_list = ABSENT | NC_VARIABLE nelems [name nelems [dimid ...] vatt_list nc_type vsize begin ...]
 *   name     = nelems namestring+padding         (padding: NUL bytes up to a 4-byte boundary)
 *
 * All integers are big-endian 32-bit, except `begin`, which is 64-bit in CDF-2. `vsize` is the variable's
 * data size rounded up to 4 bytes; a variable larger than 2^32-4 bytes stores 2^32-1 there, which the
 * format allows only for the last fixed-size variable.
 */
import { DriftlineError } from '../errors.js';
import { CDF_MAGIC, CDF_VERSION, NC_ATTRIBUTE, NC_DIMENSION, NC_VARIABLE } from './format.js';
import {
  NC_TYPE_BYTES,
  NC_TYPE_CODE,
  type NcAttrValue,
  type NcAttributes,
  type NcDataset,
  type NcType,
  type NcVariable,
} from './types.js';

const MAGIC_CDF2 = [...CDF_MAGIC, CDF_VERSION.offset64];
/** Largest vsize that can be stored exactly; bigger variables store VSIZE_OVERFLOW. */
const VSIZE_MAX = 2 ** 32 - 4;
const VSIZE_OVERFLOW = 2 ** 32 - 1;

/**
 * Names we accept: a letter or underscore, then letters, digits and `_ . @ + -`. A conservative subset of
 * what netCDF allows, so every name also works unquoted in CDL (ncdump) and in xarray.
 */
const NAME_RE = /^[A-Za-z_][A-Za-z0-9_.@+-]*$/;
/**
 * Attribute names may also hold ':' (netCDF allows it; ncdump prints it as `\:`): OpenDrift names its
 * configuration attributes `config_<section>:<key>` and reads them back by those names.
 */
const ATTR_NAME_RE = /^[A-Za-z_][A-Za-z0-9_.@+:-]*$/;

/** Attributes CF requires to have the same type as their variable. */
export const TYPED_LIKE_VARIABLE = new Set(['_FillValue', 'missing_value', 'valid_min', 'valid_max', 'valid_range', 'flag_values', 'flag_masks']);

export interface VariableLayout {
  variable: NcVariable;
  /** Number of elements (product of the dimension lengths; 1 for a scalar). */
  count: number;
  /** Data bytes before padding. */
  dataBytes: number;
  /** Data bytes padded to 4. */
  paddedBytes: number;
  /** File offset of the first data byte. */
  begin: number;
}

export interface FileLayout {
  header: Buffer;
  variables: VariableLayout[];
  /** Total file size in bytes. */
  fileBytes: number;
}

const pad4 = (n: number): number => (n + 3) & ~3;

function invalid(message: string): DriftlineError {
  return new DriftlineError('E_INTERNAL', `netCDF writer: ${message}`);
}

function checkName(kind: string, name: string, re: RegExp = NAME_RE): void {
  if (!re.test(name)) throw invalid(`${kind} name ${JSON.stringify(name)} is not a valid netCDF name`);
}

/** Grows as the header is encoded; the header is small (kilobytes), so simplicity wins over speed. */
class ByteSink {
  private buf = Buffer.alloc(4096);
  length = 0;

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.length + extra));
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
  u32(v: number): void {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.length);
    this.length += 4;
  }
  u64(v: number): void {
    this.ensure(8);
    this.buf.writeBigUInt64BE(BigInt(v), this.length);
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  /** NUL bytes up to the next 4-byte boundary (header padding is always NUL). */
  pad(): void {
    const n = pad4(this.length) - this.length;
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }
  result(): Buffer {
    return this.buf.subarray(0, this.length);
  }
}

function writeName(sink: ByteSink, name: string): void {
  const bytes = Buffer.from(name, 'utf8');
  sink.u32(bytes.length);
  sink.bytes(bytes);
  sink.pad();
}

/** Big-endian encoding of numeric values of one external type. */
export function encodeNumbers(type: Exclude<NcType, 'char'>, values: ArrayLike<number>): Buffer {
  const out = Buffer.alloc(values.length * NC_TYPE_BYTES[type]);
  for (let i = 0; i < values.length; i++) {
    const v = values[i] ?? NaN; // i < length: in bounds (NaN is what a hole would have encoded)
    switch (type) {
      case 'byte':
        out.writeInt8(((v << 24) >> 24), i); // wrap like a C cast so 255 is stored as -1
        break;
      case 'short':
        out.writeInt16BE(((v << 16) >> 16), 2 * i);
        break;
      case 'int':
        out.writeInt32BE(v | 0, 4 * i);
        break;
      case 'float':
        out.writeFloatBE(v, 4 * i);
        break;
      case 'double':
        out.writeDoubleBE(v, 8 * i);
        break;
    }
  }
  return out;
}

/**
 * A numeric attribute's type and values, as both writers store it: a plain number or list is double,
 * except the attributes that must have the variable's type (TYPED_LIKE_VARIABLE: _FillValue,
 * valid_range, ...); `{type, values}` names its type.
 */
export function numericAttribute(name: string, value: Exclude<NcAttrValue, string>, variableType: NcType | null): { type: Exclude<NcType, 'char'>; values: readonly number[] } {
  let type: Exclude<NcType, 'char'>;
  let values: readonly number[];
  if (typeof value === 'number' || Array.isArray(value)) {
    values = typeof value === 'number' ? [value] : (value as readonly number[]);
    type = variableType !== null && variableType !== 'char' && TYPED_LIKE_VARIABLE.has(name) ? variableType : 'double';
  } else {
    const typed = value as { type: Exclude<NcType, 'char'>; values: number | readonly number[] };
    type = typed.type;
    values = typeof typed.values === 'number' ? [typed.values] : typed.values;
  }
  if (values.length === 0) throw invalid(`attribute ${name} has no values`);
  for (const v of values) {
    if (typeof v !== 'number') throw invalid(`attribute ${name} has a non-numeric value ${JSON.stringify(v)}`);
  }
  return { type, values };
}

function attributeBytes(name: string, value: NcAttrValue, variableType: NcType | null): { type: NcType; n: number; bytes: Buffer } {
  if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    return { type: 'char', n: bytes.length, bytes };
  }
  const { type, values } = numericAttribute(name, value, variableType);
  return { type, n: values.length, bytes: encodeNumbers(type, values) };
}

function writeAttributes(sink: ByteSink, attrs: NcAttributes | undefined, variableType: NcType | null, owner: string): void {
  const entries = Object.entries(attrs ?? {});
  if (entries.length === 0) {
    sink.u32(0); // ABSENT = ZERO ZERO
    sink.u32(0);
    return;
  }
  sink.u32(NC_ATTRIBUTE);
  sink.u32(entries.length);
  for (const [name, value] of entries) {
    checkName(`attribute of ${owner}`, name, ATTR_NAME_RE);
    const { type, n, bytes } = attributeBytes(name, value, variableType);
    writeName(sink, name);
    sink.u32(NC_TYPE_CODE[type]);
    sink.u32(n);
    sink.bytes(bytes);
    sink.pad();
  }
}

function encodeHeader(ds: NcDataset, dimIndex: Map<string, number>, layouts: VariableLayout[]): Buffer {
  const sink = new ByteSink();
  sink.bytes(Uint8Array.from(MAGIC_CDF2));
  sink.u32(0); // numrecs: no record variables
  if (ds.dims.length === 0) {
    sink.u32(0);
    sink.u32(0);
  } else {
    sink.u32(NC_DIMENSION);
    sink.u32(ds.dims.length);
    for (const d of ds.dims) {
      writeName(sink, d.name);
      sink.u32(d.size);
    }
  }
  writeAttributes(sink, ds.attrs, null, 'the file');
  if (layouts.length === 0) {
    sink.u32(0);
    sink.u32(0);
  } else {
    sink.u32(NC_VARIABLE);
    sink.u32(layouts.length);
    layouts.forEach((l, i) => {
      const v = l.variable;
      writeName(sink, v.name);
      sink.u32(v.dims.length);
      for (const d of v.dims) {
        const index = dimIndex.get(d);
        if (index === undefined) throw new DriftlineError('E_INTERNAL', `netCDF writer: variable ${v.name} names unknown dimension ${d}`);
        sink.u32(index);
      }
      writeAttributes(sink, v.attrs, v.type, `variable ${v.name}`);
      sink.u32(NC_TYPE_CODE[v.type]);
      const last = i === layouts.length - 1;
      if (l.paddedBytes > VSIZE_MAX && !last) {
        // CDF-2 cannot describe a fixed-size variable over 4 GiB unless it is the last one.
        throw invalid(`variable ${v.name} needs ${l.paddedBytes} bytes; only the last variable may exceed ${VSIZE_MAX}`);
      }
      sink.u32(l.paddedBytes > VSIZE_MAX ? VSIZE_OVERFLOW : l.paddedBytes);
      sink.u64(l.begin);
    });
  }
  return sink.result();
}

/** Validate a dataset and compute where each variable's data goes. Throws E_INTERNAL naming the culprit. */
export function layoutFile(ds: NcDataset): FileLayout {
  const dimIndex = new Map<string, number>();
  ds.dims.forEach((d, i) => {
    checkName('dimension', d.name);
    if (dimIndex.has(d.name)) throw invalid(`dimension ${d.name} is defined twice`);
    // Length 0 would make it the record dimension, which we do not write.
    if (!Number.isInteger(d.size) || d.size < 1 || d.size > 2 ** 32 - 1) {
      throw invalid(`dimension ${d.name} has length ${d.size}; need an integer in 1..2^32-1`);
    }
    dimIndex.set(d.name, i);
  });
  const seen = new Set<string>();
  const layouts: VariableLayout[] = ds.vars.map((v) => {
    checkName('variable', v.name);
    if (seen.has(v.name)) throw invalid(`variable ${v.name} is defined twice`);
    seen.add(v.name);
    let count = 1;
    for (const d of v.dims) {
      const idx = dimIndex.get(d);
      const dim = idx === undefined ? undefined : ds.dims[idx];
      if (dim === undefined) throw invalid(`variable ${v.name} uses undefined dimension ${d}`);
      count *= dim.size;
    }
    const dataBytes = count * NC_TYPE_BYTES[v.type];
    return { variable: v, count, dataBytes, paddedBytes: pad4(dataBytes), begin: 0 };
  });
  // Encode once to learn the header size (begin values do not change it: always 8 bytes), then for real.
  const headerBytes = encodeHeader(ds, dimIndex, layouts).length;
  let offset = headerBytes;
  for (const l of layouts) {
    l.begin = offset;
    offset += l.paddedBytes;
  }
  return { header: encodeHeader(ds, dimIndex, layouts), variables: layouts, fileBytes: offset };
}
