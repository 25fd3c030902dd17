/**
 * src/storage/presign.ts signs S3 GET URLs itself (SigV4 query signing) after checking, per bucket,
 * that it reproduces the SDK's URL. Here every URL it makes is compared with the SDK's getSignedUrl
 * at the same instant: same origin, path and query, signature included, for path-style (MinIO,
 * s3rver), virtual-hosted (AWS) and temporary credentials, and keys that need escaping.
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describe, expect, it } from 'vitest';
import { PRESIGN_CHECK_KEY, S3Presigner } from '../../src/storage/presign.js';

const KEYS = ['m-1/trajectory.nc', 'a/b/c d/e+f.geojson', "x!y'z(1)*2~3_4.5-6", 'ü/日本/€%20.kml', 'trailing/', PRESIGN_CHECK_KEY];
const CLIENTS: Array<[string, ConstructorParameters<typeof S3Client>[0]]> = [
  ['path-style endpoint (s3rver, MinIO)', { region: 'us-east-1', endpoint: 'http://127.0.0.1:4569', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }],
  ['AWS, virtual-hosted, temporary credentials', { region: 'eu-north-1', forcePathStyle: false, credentials: { accessKeyId: 'ASIAEXAMPLE', secretAccessKey: 'wJalr/K7MDENG+bPxRfi', sessionToken: 'token/with+signs==' } }],
  ['custom endpoint, virtual-hosted', { region: 'eu-west-1', endpoint: 'https://s3.example.org:8443', forcePathStyle: false, credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' } }],
];

const sorted = (u: string) => {
  const url = new URL(u);
  return { origin: url.origin, path: url.pathname, query: [...url.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) };
};

describe('S3Presigner', () => {
  for (const [name, options] of CLIENTS) {
    it(`makes the SDK's URLs: ${name}`, async () => {
      const s3 = new S3Client({ ...options, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
      const presigner = new S3Presigner(s3);
      const date = new Date('2026-12-04T20:00:07.250Z');
      for (const key of KEYS) {
        for (const expiresInS of [60, 900, 7 * 86_400]) {
          const ours = await presigner.presign('driftline-products', key, expiresInS, date);
          const sdk = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'driftline-products', Key: key }), { expiresIn: expiresInS, signingDate: date });
          expect(sorted(ours), `${key} ${expiresInS} s`).toEqual(sorted(sdk));
        }
      }
      // Several keys at once (a mission's products): the same URLs, in order.
      const many = await presigner.presignMany('driftline-products', KEYS, 900, date);
      const sdkMany = await Promise.all(KEYS.map((Key) => getSignedUrl(s3, new GetObjectCommand({ Bucket: 'driftline-products', Key }), { expiresIn: 900, signingDate: date })));
      expect(many.map(sorted)).toEqual(sdkMany.map(sorted));
      // The URLs above were signed here, not by the SDK fallback.
      expect(await presigner.fastPath('driftline-products')).toBe(true);
      // Another day: a new signing key (the day is part of it).
      const nextDay = new Date('2026-12-05T00:00:01Z');
      const ours = await presigner.presign('driftline-products', 'm-1/summary.json', 900, nextDay);
      const sdk = await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'driftline-products', Key: 'm-1/summary.json' }), { expiresIn: 900, signingDate: nextDay });
      expect(sorted(ours)).toEqual(sorted(sdk));
      s3.destroy();
    });
  }

  it('follows rotated credentials from the client provider', async () => {
    let secret = 'first-secret';
    let accessKeyId = 'AK';
    // Expiring in 1 min: inside the SDK's 5 min refresh window, so its memoised provider asks every time.
    const provider = async () => ({ accessKeyId, secretAccessKey: secret, expiration: new Date(Date.now() + 60_000) });
    const s3 = new S3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:4569', forcePathStyle: true, credentials: provider });
    const presigner = new S3Presigner(s3);
    const date = new Date('2026-12-04T20:00:00Z');
    const first = await presigner.presign('b', 'k', 900, date);
    secret = 'second-secret';
    const second = await presigner.presign('b', 'k', 900, date);
    expect(new URL(second).searchParams.get('X-Amz-Signature')).not.toBe(new URL(first).searchParams.get('X-Amz-Signature'));
    expect(sorted(second)).toEqual(sorted(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k' }), { expiresIn: 900, signingDate: date })));
    // A new access key id in the same second: the query (which names it) is built again.
    accessKeyId = 'AK2';
    const third = await presigner.presign('b', 'k', 900, date);
    expect(new URL(third).searchParams.get('X-Amz-Credential')).toMatch(/^AK2\//);
    expect(sorted(third)).toEqual(sorted(await getSignedUrl(s3, new GetObjectCommand({ Bucket: 'b', Key: 'k' }), { expiresIn: 900, signingDate: date })));
    s3.destroy();
  });
});
