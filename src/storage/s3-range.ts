/**
 * An S3 object as a random-access source for the NetCDF-3 reader (src/netcdf/read3.ts): its size
 * from one HEAD, then one ranged GET per read. Re-planning reads 5 of the 31 variables of a stored
 * particles.nc (time, lon, lat, status, weight: 9 of 55 bytes per particle and record, so 23 MB of
 * the 182 MB at 100 000 particles × 25 records), each one contiguous span, so ~6 requests in all.
 */
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { ByteSource } from '../netcdf/byte-source.js';
import { storageError } from './errors.js';
import { parseS3Uri } from './s3-uri.js';

export function s3RangeSource(s3: S3Client, uri: string): ByteSource {
  const { bucket, key } = parseS3Uri(uri);
  let size: number | undefined;
  return {
    async stat() {
      if (size === undefined) {
        try {
          const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
          size = head.ContentLength ?? 0;
        } catch (err) {
          throw storageError(`head ${uri}`, err);
        }
      }
      return { size };
    },
    async read(buffer, offset, length, position) {
      if (length <= 0) return { bytesRead: 0 };
      let bytes: Uint8Array;
      try {
        const obj = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${position}-${position + length - 1}` }));
        if (obj.Body === undefined) return { bytesRead: 0 };
        bytes = await obj.Body.transformToByteArray();
      } catch (err) {
        throw storageError(`get ${uri} bytes ${position}+${length}`, err);
      }
      // A server that ignores Range sends the whole object: take the wanted span of it.
      const body = bytes.length > length && position + length <= bytes.length ? bytes.subarray(position, position + length) : bytes;
      const n = Math.min(length, body.length);
      buffer.set(body.subarray(0, n), offset);
      return { bytesRead: n };
    },
    async close() {},
  };
}
