/** The results bucket: created when missing (MinIO and s3rver start empty). */
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { storageError } from './errors.js';

function status(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
}

/** Returns true when the bucket had to be created. */
export async function ensureBucket(s3: S3Client, bucket: string): Promise<boolean> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return false;
  } catch (err) {
    if (status(err) !== 404) throw storageError(`head bucket ${bucket}`, err);
  }
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    return true;
  } catch (err) {
    const name = (err as { name?: string }).name;
    // Another worker created it between our HEAD and CREATE.
    if (name === 'BucketAlreadyOwnedByYou' || name === 'BucketAlreadyExists') return false;
    throw storageError(`create bucket ${bucket}`, err);
  }
}
