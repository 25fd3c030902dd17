/** s3:// URIs, apart from src/storage/s3.ts so that parsing one does not load the AWS SDK (~0.3–2 s). */

/** Split `s3://bucket/key/with/slashes`. */
export function parseS3Uri(uri: string): { bucket: string; key: string } {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri) ?? [];
  if (bucket === undefined || key === undefined) throw new Error(`not an s3:// URI: ${uri}`);
  return { bucket, key };
}
