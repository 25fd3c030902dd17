/**
 * A random-access source of bytes: its size and positioned reads. A node FileHandle is one; an S3
 * object read with ranged GETs (s3-range.ts) is another, so a stored product can be read without
 * downloading it whole. The NetCDF-3 reader (src/netcdf/read3.ts) reads through this.
 */
export interface ByteSource {
  stat(): Promise<{ size: number }>;
  read(buffer: Buffer, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
  close(): Promise<void>;
}
