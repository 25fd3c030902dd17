/**
 * NetCDF classic format constants (CDF-1, CDF-2 and CDF-5; "NetCDF Classic and 64-bit Offset File
 * Formats" and the CDF-5 addendum), shared by the reader (read3.ts) and the writer (header.ts).
 */

/** 'C' 'D' 'F' and the version byte: 1 classic, 2 64-bit offset, 5 64-bit data. */
export const CDF_MAGIC = [0x43, 0x44, 0x46] as const;
export const CDF_VERSION = { classic: 1, offset64: 2, data64: 5 } as const;

/** Tags of the header's lists (ABSENT is a zero tag and a zero count). */
export const NC_DIMENSION = 0x0a;
export const NC_VARIABLE = 0x0b;
export const NC_ATTRIBUTE = 0x0c;

/** `numrecs` of a file still being written (streaming): the record count is then taken from the file size. */
export const NC_STREAMING = 0xffffffff;

/** nc_type code -> name and size in bytes; 1-6 are the classic types, 7-11 come with CDF-5. */
export const NC_TYPES: Readonly<Record<number, { name: string; size: number }>> = {
  1: { name: 'byte', size: 1 },
  2: { name: 'char', size: 1 },
  3: { name: 'short', size: 2 },
  4: { name: 'int', size: 4 },
  5: { name: 'float', size: 4 },
  6: { name: 'double', size: 8 },
  7: { name: 'ubyte', size: 1 },
  8: { name: 'ushort', size: 2 },
  9: { name: 'uint', size: 4 },
  10: { name: 'int64', size: 8 },
  11: { name: 'uint64', size: 8 },
};
