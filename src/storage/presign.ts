/**
 * Presigned S3 GET URLs, signed here (SigV4 query signing: one SHA-256 and one HMAC-SHA256 per URL,
 * the day's signing key cached) instead of through the SDK's getSignedUrl, which runs the client's
 * whole middleware stack (endpoint rules, command serialisation, a request clone) for every URL.
 * Measured in a profile of bench/api.bench.mjs on the shared 2-core machine: getSignedUrl cost
 * ~0.45 ms of CPU per URL, so the first status read of 200 missions with 6 products each spent
 * ~540 ms presigning, plus the garbage collection it caused; signing here costs 0.008 ms per URL
 * (20 000 URLs in a warm loop; the SDK: 0.51 ms warm, 0.87 ms cold, same loop), and 0.0035 ms when a
 * mission's six URLs are signed together (presignMany: 120 000 URLs, 6.7 -> 3.5 µs against one by one).
 *
 * The SDK still decides what the URL looks like. The first URL for a bucket is presigned by both the
 * SDK and this code at the same instant, for a check key with every character class that needs
 * escaping; the SDK's URL gives the origin, the path prefix (path-style or virtual-hosted), the
 * credential scope and the fixed query parameters, and only when this code then reproduces the SDK's
 * URL (signature included) is the fast path used for that bucket; otherwise every URL of the bucket
 * goes through the SDK. Credentials come from the client's own (memoised) provider on every call, so
 * rotated or temporary credentials are followed as the SDK follows them.
 */
import { createHmac, hash } from 'node:crypto';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/** A key with a space, a slash, non-ASCII and each of the characters encodeURIComponent leaves alone but SigV4 escapes. */
export const PRESIGN_CHECK_KEY = "driftline-presign-check/a b+c~d=e&f%g:h@i!j'(k)*l,m;n$o/ü.nc";

/** Percent-encoding of RFC 3986 as SigV4 wants it: only A-Z a-z 0-9 - . _ ~ stay as they are. */
export function sigv4Encode(s: string): string {
  // Most keys and values need no escaping at all (mission ids, product names, dates).
  if (/^[\w.~-]*$/.test(s)) return s;
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An S3 object key as a URL path: every segment encoded, the slashes kept (S3 does not encode twice). */
function encodeKey(key: string): string {
  return key.split('/').map(sigv4Encode).join('/');
}

let lastStamp = { second: NaN, stamp: '' };
/** 2026-12-04T20:00:00.123Z -> 20261204T200000Z (the last one remembered: a burst presigns within a second). */
function amzDate(date: Date): string {
  const second = Math.floor(date.getTime() / 1000);
  if (second !== lastStamp.second) lastStamp = { second, stamp: date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '') };
  return lastStamp.stamp;
}

/** What the SDK's URL for a bucket fixes; only the key, the time, the lifetime and the credentials vary. */
interface BucketTemplate {
  origin: string;
  host: string;
  pathPrefix: string;
  /** "<region>/<service>/aws4_request", the tail of the credential scope. */
  scopeTail: string;
  /** Query parameters that do not depend on time, lifetime or credentials (algorithm, payload hash, x-id, ...), as [name, "name=value"] encoded. */
  fixedEncoded: Array<[string, string]>;
  payloadHash: string;
}

/** What signing reads of the client's credentials (its provider's answer). */
interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A canonical query string and what it was built for (S3Presigner.queryFor). */
interface SignedQuery {
  template: BucketTemplate;
  stamp: string;
  expiresInS: number;
  accessKeyId: string;
  sessionToken: string | undefined;
  scope: string;
  query: string;
  stringToSignHead: string;
}

/** crypto.hash (Node >= 20.12, package.json's engines): one call, half the cost of createHash().update().digest() (0.42 against 0.84 µs in a warm loop). */
const sha256Hex = (text: string): string => hash('sha256', text, 'hex');

const VARYING = new Set(['X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-Security-Token', 'X-Amz-Signature']);

export class S3Presigner {
  /** Per bucket: the template, or null when the SDK must sign (this code could not reproduce its URL). */
  private readonly buckets = new Map<string, Promise<BucketTemplate | null>>();
  /** The SigV4 signing key of one (access key, day, region, service); it changes once a day. */
  private signingKey: { id: string; secret: string; key: Buffer } | null = null;
  /** The last query built (queryFor); it holds no secret, only the access key id and session token the URL shows. */
  private lastQuery: SignedQuery | null = null;

  constructor(private readonly s3: S3Client) {}

  /** A GET URL for s3://bucket/key valid for expiresInS seconds from `date` (the SigV4 X-Amz-Date). */
  async presign(bucket: string, key: string, expiresInS: number, date: Date): Promise<string> {
    const [url] = await this.presignMany(bucket, [key], expiresInS, date);
    if (url === undefined) throw new Error('presignMany returned no URL');
    return url;
  }

  /**
   * GET URLs for several keys of one bucket, in order: one wait for the bucket's template and one for
   * the credentials, then plain computation. Presigning a mission's six products one by one cost
   * ~9 µs per URL in a warm loop, of which the hashing is ~2.6 µs; the rest was promise hops.
   */
  async presignMany(bucket: string, keys: readonly string[], expiresInS: number, date: Date): Promise<string[]> {
    let template = this.buckets.get(bucket);
    if (template === undefined) {
      template = this.learn(bucket, expiresInS, date);
      this.buckets.set(bucket, template);
      // A failure (no credentials yet) is not remembered: the next URL tries again.
      template.catch(() => this.buckets.delete(bucket));
    }
    const t = await template;
    if (t === null) return Promise.all(keys.map((key) => this.sdkPresign(bucket, key, expiresInS, date)));
    const creds = await this.s3.config.credentials();
    return keys.map((key) => this.sign(t, creds, key, expiresInS, date));
  }

  /** Whether URLs of this bucket are signed here (true) or by the SDK (false); undefined before the first URL. */
  async fastPath(bucket: string): Promise<boolean | undefined> {
    const t = this.buckets.get(bucket);
    return t === undefined ? undefined : (await t) !== null;
  }

  private sdkPresign(bucket: string, key: string, expiresInS: number, date: Date): Promise<string> {
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn: expiresInS, signingDate: date });
  }

  private async learn(bucket: string, expiresInS: number, date: Date): Promise<BucketTemplate | null> {
    const sdkUrl = new URL(await this.sdkPresign(bucket, PRESIGN_CHECK_KEY, expiresInS, date));
    const encodedKey = encodeKey(PRESIGN_CHECK_KEY);
    const credential = sdkUrl.searchParams.get('X-Amz-Credential')?.split('/') ?? [];
    // <access key id>/<yyyymmdd>/<region>/<service>/aws4_request
    if (!sdkUrl.pathname.endsWith(`/${encodedKey}`) || credential.length !== 5 || sdkUrl.searchParams.get('X-Amz-SignedHeaders') !== 'host') return null;
    const fixed = [...sdkUrl.searchParams].filter(([k]) => !VARYING.has(k));
    const template: BucketTemplate = {
      origin: sdkUrl.origin,
      host: sdkUrl.host,
      pathPrefix: sdkUrl.pathname.slice(0, sdkUrl.pathname.length - encodedKey.length),
      scopeTail: credential.slice(2).join('/'),
      fixedEncoded: fixed.map(([k, v]) => [k, `${sigv4Encode(k)}=${sigv4Encode(v)}`]),
      payloadHash: sdkUrl.searchParams.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD',
    };
    const ours = new URL(this.sign(template, await this.s3.config.credentials(), PRESIGN_CHECK_KEY, expiresInS, date));
    const sameParams = (u: URL) => JSON.stringify([...u.searchParams].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return ours.origin === sdkUrl.origin && ours.pathname === sdkUrl.pathname && sameParams(ours) === sameParams(sdkUrl) ? template : null;
  }

  private sign(t: BucketTemplate, creds: Credentials, key: string, expiresInS: number, date: Date): string {
    const q = this.queryFor(t, creds, amzDate(date), expiresInS);
    const path = t.pathPrefix + encodeKey(key);
    const canonicalRequest = `GET\n${path}\n${q.query}\nhost:${t.host}\n\nhost\n${t.payloadHash}`;
    const stringToSign = `${q.stringToSignHead}${sha256Hex(canonicalRequest)}`;
    const signature = createHmac('sha256', this.keyFor(creds.accessKeyId, creds.secretAccessKey, q.scope)).update(stringToSign).digest('hex');
    return `${t.origin}${path}?${q.query}&X-Amz-Signature=${signature}`;
  }

  /**
   * The canonical query string and the head of the string to sign. Neither depends on the key, so a
   * burst (all its URLs share one second) builds them once: a profile of bench/api.bench.mjs's
   * first-read case had sign() at ~13 % of the server's CPU, most of it building and sorting these
   * seven parameters again for each of a mission's six URLs.
   */
  private queryFor(t: BucketTemplate, creds: Credentials, stamp: string, expiresInS: number): SignedQuery {
    const last = this.lastQuery;
    if (last !== null && last.template === t && last.stamp === stamp && last.expiresInS === expiresInS && last.accessKeyId === creds.accessKeyId && last.sessionToken === creds.sessionToken) {
      return last;
    }
    const scope = `${stamp.slice(0, 8)}/${t.scopeTail}`;
    const params: Array<[string, string]> = [
      ...t.fixedEncoded,
      ['X-Amz-Credential', `X-Amz-Credential=${sigv4Encode(`${creds.accessKeyId}/${scope}`)}`],
      ['X-Amz-Date', `X-Amz-Date=${stamp}`],
      ['X-Amz-Expires', `X-Amz-Expires=${expiresInS}`],
    ];
    if (creds.sessionToken !== undefined) params.push(['X-Amz-Security-Token', `X-Amz-Security-Token=${sigv4Encode(creds.sessionToken)}`]);
    // Canonical query: sorted by name in code-unit order (the names are ASCII), names and values encoded.
    params.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const query = params.map(([, kv]) => kv).join('&');
    this.lastQuery = {
      template: t,
      stamp,
      expiresInS,
      accessKeyId: creds.accessKeyId,
      sessionToken: creds.sessionToken,
      scope,
      query,
      stringToSignHead: `AWS4-HMAC-SHA256\n${stamp}\n${scope}\n`,
    };
    return this.lastQuery;
  }

  private keyFor(accessKeyId: string, secret: string, scope: string): Buffer {
    const id = `${accessKeyId}/${scope}`;
    // The secret is compared too: a rotated secret may keep its access key id. (The SDK's client holds
    // the same secret in memory; this keeps no copy anywhere else and never logs it.)
    const cached = this.signingKey;
    if (cached !== null && cached.id === id && cached.secret === secret) return cached.key;
    const [day = '', region = '', service = ''] = scope.split('/');
    let k: Buffer = createHmac('sha256', `AWS4${secret}`).update(day).digest();
    for (const part of [region, service, 'aws4_request']) k = createHmac('sha256', k).update(part).digest();
    this.signingKey = { id, secret, key: k };
    return k;
  }
}
