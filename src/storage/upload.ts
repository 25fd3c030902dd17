/**
 * Products to S3, streamed from their files (a trajectory file can be hundreds of MB, so nothing is
 * read into memory whole). lib-storage's Upload switches to multipart above one part: 8 MiB parts
 * (S3's minimum is 5 MiB), 4 in flight, so a 500 MB file holds at most 32 MiB of buffers.
 *
 * Keys are per attempt: s3://$S3_BUCKET/{mission_id}/{attempt}/{relPath}, where {attempt} is
 * "a<attempts>-<nonce>" of the claim that made them. Two attempts of one mission (a worker that
 * stalled past its lease and woke up beside the one that replaced it) can then never overwrite each
 * other's objects; the mission row publishes one attempt's set atomically (completeMission), and the
 * other sets are deleted (deleteObjectsUnder). mission_results thus always matches S3.
 *
 * Consumers that look for fixed keys ({mission_id}/raw/particles.nc) get them as aliases: after the
 * completion is recorded, the winning attempt alone copies its objects there (server-side copy, so
 * byte for byte the recorded objects). A fenced-out attempt never completes, so it never writes an
 * alias; mission_results stays the authority.
 */
import { createReadStream } from 'node:fs';
import { CopyObjectCommand, DeleteObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { ProductFile } from '../products/types.js';
import { storageError } from './errors.js';

export const PART_SIZE_BYTES = 8 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;

/** What an upload stored: recorded as a mission_results row. */
export interface StoredProduct {
  kind: string;
  uri: string;
  bytes: number;
  contentType: string;
  sha256: string;
}

/** The key prefix of one attempt's products: "{mission_id}/{attempt}". */
export function attemptPrefix(missionId: string, attemptKey: string): string {
  return `${missionId}/${attemptKey}`;
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

/** Upload every product of one attempt under `prefix`; returns what to record in mission_results. */
export async function uploadProducts(s3: S3Client, bucket: string, prefix: string, products: ProductFile[], opts: UploadOptions = {}): Promise<StoredProduct[]> {
  const stored: StoredProduct[] = [];
  // One file at a time: each is already split into parallel parts, and order keeps logs readable.
  for (const p of products) {
    const key = `${prefix}/${p.relPath}`;
    await uploadFile(s3, bucket, key, p.path, p.contentType, opts);
    stored.push({ kind: p.kind, uri: `s3://${bucket}/${key}`, bytes: p.bytes, contentType: p.contentType, sha256: p.sha256 });
  }
  return stored;
}

/**
 * Delete every object under "{mission_id}/" except `keepKeys` (another attempt's leftovers), or under
 * `prefix` alone when given; returns how many went. Best effort by the caller: a failure leaves
 * garbage, never a wrong product (the row points at the kept keys only).
 */
export async function deleteObjectsUnder(s3: S3Client, bucket: string, prefix: string, keepKeys: ReadonlySet<string> = new Set()): Promise<number> {
  let deleted = 0;
  let token: string | undefined;
  try {
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${prefix}/`, ContinuationToken: token }));
      for (const o of page.Contents ?? []) {
        if (o.Key === undefined || keepKeys.has(o.Key)) continue;
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }));
        deleted++;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  } catch (err) {
    throw storageError(`delete under s3://${bucket}/${prefix}/`, err);
  }
  return deleted;
}

/** The fixed key of a product: "{mission_id}/{relPath}" (an alias of the published attempt's object). */
export function aliasKey(missionId: string, relPath: string): string {
  return `${missionId}/${relPath}`;
}

/**
 * Copy a published attempt's objects to their fixed keys (server-side); returns the alias keys.
 * `stored` URIs look like s3://bucket/{mission_id}/{attempt}/{relPath}. Idempotent: run again from
 * the recorded rows, it rewrites the same bytes.
 */
export async function publishAliases(s3: S3Client, bucket: string, missionId: string, stored: Array<Pick<StoredProduct, 'uri' | 'contentType'>>): Promise<string[]> {
  const missionPrefix = `s3://${bucket}/${missionId}/`;
  const aliases: string[] = [];
  for (const p of stored) {
    if (!p.uri.startsWith(missionPrefix)) continue;
    const [, ...rel] = p.uri.slice(missionPrefix.length).split('/'); // drop the attempt segment
    if (rel.length === 0) continue;
    const source = p.uri.slice(`s3://${bucket}/`.length);
    const target = aliasKey(missionId, rel.join('/'));
    try {
      await s3.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: target,
          CopySource: `${bucket}/${encodeURIComponent(source).replace(/%2F/g, '/')}`,
          ContentType: p.contentType,
          MetadataDirective: 'REPLACE',
        }),
      );
    } catch (err) {
      throw storageError(`copy to s3://${bucket}/${target}`, err);
    }
    aliases.push(target);
  }
  return aliases;
}
