/**
 * The S3 client, configured for S3, MinIO (S3_ENDPOINT) and s3rver in tests.
 *
 * Checksums are WHEN_REQUIRED: with the SDK's default (WHEN_SUPPORTED) a streamed upload is sent with
 * aws-chunked encoding plus a trailing CRC, which s3rver 3.7.1 stores verbatim, chunk headers and
 * all — the object is silently corrupt. MinIO and AWS accept both.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../config.js';

export function createS3Client(config: Pick<Config, 'S3_ENDPOINT' | 'S3_ACCESS_KEY' | 'S3_SECRET_KEY' | 'S3_REGION' | 'S3_FORCE_PATH_STYLE'>): S3Client {
  return new S3Client({
    region: config.S3_REGION,
    ...(config.S3_ENDPOINT ? { endpoint: config.S3_ENDPOINT } : {}),
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    ...(config.S3_ACCESS_KEY && config.S3_SECRET_KEY
      ? { credentials: { accessKeyId: config.S3_ACCESS_KEY, secretAccessKey: config.S3_SECRET_KEY } }
      : {}),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Transient failures are retried by the worker with its own backoff; keep the SDK's short.
    maxAttempts: 2,
    // The SDK waits for ever by default: an endpoint that drops packets would hang a mission's upload
    // (and its slot) with no error to retry. 5 s to connect; a socket idle for 60 s is dead (a
    // streaming part upload sends data continuously, so this never cuts a slow but live transfer).
    requestHandler: { connectionTimeout: 5_000, socketTimeout: 60_000 },
  });
}

export { parseS3Uri } from './s3-uri.js';
