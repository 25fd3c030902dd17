/**
 * The netCDF classic data model as our writer needs it: dimensions, attributes and fixed-size variables.
 *
 * Format facts (netCDF "classic" file format specification, CDF-1/CDF-2): big-endian throughout; six
 * external types with codes 1..6; every name, attribute value and variable's data padded to a 4-byte
 * boundary; the 64-bit offset variant (CDF-2, magic 'CDF\x02') differs from CDF-1 only in storing each
 * variable's `begin` as a 64-bit offset. We never write record (unlimited) variables: every dimension has
 * a fixed, positive length and `numrecs` is 0.
 */

import { NC_TYPES } from './format.js';

export type NcType = 'byte' | 'char' | 'short' | 'int' | 'float' | 'double';

const CLASSIC: readonly NcType[] = ['byte', 'char', 'short', 'int', 'float', 'double'];
/** The classic types' codes and sizes, from the format's table (format.ts NC_TYPES, codes 1-6). */
export const NC_TYPE_CODE = Object.fromEntries(CLASSIC.map((t) => [t, Number(Object.entries(NC_TYPES).find(([, v]) => v.name === t)?.[0])])) as Record<NcType, number>;
export const NC_TYPE_BYTES = Object.fromEntries(CLASSIC.map((t) => [t, NC_TYPES[NC_TYPE_CODE[t]]?.size ?? 0])) as Record<NcType, number>;

/**
 * The library's default fill values (netcdf.h NC_FILL_*), used to pad a variable's data to 4 bytes when it
 * has no `_FillValue` of its own (the specification pads data with the variable's fill value).
 */
export const NC_DEFAULT_FILL: Record<NcType, number> = {
  byte: -127,
  char: 0,
  short: -32767,
  int: -2147483647,
  float: 9.969209968386869e36,
  double: 9.969209968386869e36,
};

/** The JS array a chunk of each external type is staged in before the big-endian swap. */
export type NcChunkArray = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** Any typed array whose values convert to the variable's type by TypedArray.prototype.set. */
export type NcSourceArray = NcChunkArray | Uint16Array | Uint32Array;

/**
 * An attribute value. A string is NC_CHAR (UTF-8). A plain number or number array is NC_DOUBLE, except for
 * the attributes CF requires to have the variable's own type (`_FillValue`, `missing_value`, `valid_min`,
 * `valid_max`, `valid_range`, `flag_values`, `flag_masks`), which take the variable's type. Use the typed
 * form to choose any other type.
 */
export type NcAttrValue = string | number | readonly number[] | NcTypedAttr;

export interface NcTypedAttr {
  type: Exclude<NcType, 'char'>;
  values: number | readonly number[];
}

export type NcAttributes = Record<string, NcAttrValue>;

export interface NcDimension {
  name: string;
  /** Fixed length, 1 .. 2^32-1. */
  size: number;
}

/**
 * Fills `out[0 .. count)` with the variable's elements `start .. start+count` in file (row-major) order.
 * Used for data that is computed on the fly (ids, probabilities) so it never exists as one big array.
 */
export type NcChunkFiller = (start: number, count: number, out: NcChunkArray) => void;

export interface NcVariable {
  name: string;
  type: NcType;
  /** Dimension names, slowest-varying first (C order); [] for a scalar. */
  dims: readonly string[];
  attrs?: NcAttributes;
  /**
   * The data in row-major order: a typed array (converted to `type` chunk by chunk), a number array, a
   * string (char variables only; UTF-8, padded with NULs to the variable's length) or a chunk filler.
   * For float/double variables with a numeric `_FillValue`, NaN elements are written as that fill value.
   */
  values: NcSourceArray | readonly number[] | string | NcChunkFiller;
}

export interface NcDataset {
  dims: readonly NcDimension[];
  attrs: NcAttributes;
  vars: readonly NcVariable[];
}
