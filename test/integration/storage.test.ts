/**
 * Products to S3 through a real s3rver: the bucket is created when missing, a multi-MB file goes up
 * as a stream in several multipart parts and comes back byte for byte, keys and content types are
 * the fixed ones.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBucket } from '../../src/storage/bucket.js';
import { PART_SIZE_BYTES, uploadFile, uploadProducts } from '../../src/storage/upload.js';
import { startS3, type TestS3 } from '../helpers/s3.js';

let s3: TestS3;
let dir: string;

beforeAll(async () => {
  s3 = await startS3({ createBucket: false });
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-storage-'));
});

afterAll(async () => {
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Write `bytes` random bytes in 1 MiB chunks (never the whole file in memory); returns its sha256. */
async function randomFile(file: string, bytes: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(file);
  for (let left = bytes; left > 0; left -= 1 << 20) {
    const chunk = randomBytes(Math.min(left, 1 << 20));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return hash.digest('hex');
}

describe('storage', () => {
  it('creates the bucket when missing, and only once', async () => {
    expect(await ensureBucket(s3.client, s3.bucket)).toBe(true);
    expect(await ensureBucket(s3.client, s3.bucket)).toBe(false);
  });

  it('streams a multi-MB file up in multipart parts and gets the same bytes back', async () => {
    // 2.5 parts: three parts of which the last is short, the case most likely to go wrong.
    const bytes = Math.round(PART_SIZE_BYTES * 2.5);
    const file = path.join(dir, 'big.nc');
    const sha = await randomFile(file, bytes);
    const commands: string[] = [];
    s3.client.middlewareStack.add(
      (next, context) => (args) => {
        commands.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize', name: 'recordCommands' },
    );
    try {
      await uploadFile(s3.client, s3.bucket, 'm-big/raw/particles.nc', file, 'application/x-netcdf');
    } finally {
      s3.client.middlewareStack.remove('recordCommands');
    }
    expect(commands.filter((c) => c === 'UploadPartCommand')).toHaveLength(3);
    expect(commands).toContain('CompleteMultipartUploadCommand');
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: 'm-big/raw/particles.nc' }));
    expect(head.ContentLength).toBe(bytes);
    expect(head.ContentType).toBe('application/x-netcdf');
    const back = await s3.get('m-big/raw/particles.nc');
    expect(createHash('sha256').update(back).digest('hex')).toBe(sha);
  });

  it('uploads a mission\'s products under {mission_id}/{relPath}, overwriting on a second run', async () => {
    const a = path.join(dir, 'a.json');
    const sha = await randomFile(a, 1000);
    const product = { kind: 'summary' as const, relPath: 'products/summary.json', path: a, contentType: 'application/json', bytes: 1000, sha256: sha };
    const stored = await uploadProducts(s3.client, s3.bucket, 'mission-7', [product]);
    expect(stored).toEqual([{ kind: 'summary', uri: `s3://${s3.bucket}/mission-7/products/summary.json`, bytes: 1000, contentType: 'application/json', sha256: sha }]);
    await uploadProducts(s3.client, s3.bucket, 'mission-7', [product]);
    const list = await s3.client.send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: 'mission-7/' }));
    expect(list.Contents?.map((o) => o.Key)).toEqual(['mission-7/products/summary.json']);
  });

  it('reports an unreachable S3 as a retryable E_STORAGE', async () => {
    const file = path.join(dir, 'small');
    await randomFile(file, 10);
    await s3.stop();
    try {
      await expect(uploadFile(s3.client, s3.bucket, 'x/y', file, 'text/plain')).rejects.toMatchObject({ code: 'E_STORAGE', retryable: true });
    } finally {
      await s3.restart();
    }
    await uploadFile(s3.client, s3.bucket, 'x/y', file, 'text/plain');
  });
});
