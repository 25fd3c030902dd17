/**
 * Products to S3, streamed from their files (a trajectory file can be hundreds of MB, so nothing is
 * read into memory whole). lib-storage's Upload switches to multipart above one part: 8 MiB parts
 * (S3's minimum is 5 MiB), 4 in flight, so a 500 MB file holds at most 32 MiB of buffers.
 *
 * Keys are fixed: s3://$S3_BUCKET/{mission_id}/{relPath}. A retried mission overwrites its objects
 * instead of leaving duplicates.
 */
import { createReadStream } from 'node:fs';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { StoredResult } from '../db/queries/types.js';
import type { ProductFile } from '../products/types.js';
import { storageError } from './errors.js';

export const PART_SIZE_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;

export function productKey(missionId: string, relPath: string): string {
  return `${missionId}/${relPath}`;
}

export interface UploadOptions {
  signal?: AbortSignal;
  partSizeBytes?: number;
}

/** Stream one local file to `s3://bucket/key` with a content type. */
export async function uploadFile(s3: S3Client, bucket: string, key: string, filePath: string, contentType: string, opts: UploadOptions = {}): Promise<void> {
  if (opts.signal?.aborted) throw storageError(`upload ${key}`, opts.signal.reason ?? new Error('aborted'));
  const body = createReadStream(filePath);
  const upload = new Upload({
    client: s3,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
    partSize: opts.partSizeBytes ?? PART_SIZE_BYTES,
    queueSize: PARTS_IN_FLIGHT,
    leavePartsOnError: false,
  });
  const onAbort = () => void upload.abort().catch(() => undefined);
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await upload.done();
  } catch (err) {
    throw storageError(`upload s3://${bucket}/${key}`, err);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    body.destroy();
  }
}

/** Upload every product of a mission; returns what to record in mission_results. */
export async function uploadProducts(s3: S3Client, bucket: string, missionId: string, products: ProductFile[], opts: UploadOptions = {}): Promise<StoredResult[]> {
  const stored: StoredResult[] = [];
  // One file at a time: each is already split into parallel parts, and order keeps logs readable.
  for (const p of products) {
    const key = productKey(missionId, p.relPath);
    await uploadFile(s3, bucket, key, p.path, p.contentType, opts);
    stored.push({ kind: p.kind, uri: `s3://${bucket}/${key}`, bytes: p.bytes, contentType: p.contentType, sha256: p.sha256 });
  }
  return stored;
}
