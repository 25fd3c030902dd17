/** Our own netCDF-3 (64-bit offset, CDF-2) writer: fixed-size variables, streamed to disk in chunks. */
export * from './types.js';
export { layoutFile } from './header.js';
export { writeNetcdf, CHUNK_BYTES, type ChunkInfo, type WriteNetcdfOptions, type WriteNetcdfResult } from './write3.js';
