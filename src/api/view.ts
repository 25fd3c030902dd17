/**
 * Mission rows as the API shows them. Never shown: raw_job, claim_token, result URIs (bucket layout)
 * and any password inside a URL the job named (a job is untrusted input and forcing URIs may carry
 * credentials). Products get presigned GET URLs; a presigned URL carries the S3 access key id (that
 * is how SigV4 query signing works; the id is not a secret) but never the secret key.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { redactUrl } from '../config.js';
import type { MissionRow, MissionViewRow, ProductRow } from '../db/queries/index.js';
import { S3Presigner } from '../storage/presign.js';
import { parseS3Uri } from '../storage/s3.js';

export interface ProductView {
  kind: string;
  bytes: number;
  content_type: string;
  sha256: string;
  /** Presigned GET URL, valid until expires_at. */
  url: string;
  expires_at: string;
  /** The same file through the API (Bearer auth, no CORS needed): /missions/:id/products/:kind. */
  href: string;
}

export interface MissionView {
  id: string;
  status: MissionRow['status'];
  progress: number;
  attempts: number;
  params: unknown;
  warnings: string[];
  error: { code: string | null; message: string } | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
  cancel_requested_at: string | null;
  links: { self: string; events: string; cancel: string };
  products?: ProductView[];
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Copy of a JSON value with every URL's password masked. */
export function redactParams(value: unknown): unknown {
  if (typeof value === 'string') return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : value;
  if (Array.isArray(value)) return value.map(redactParams);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactParams(v)]));
  }
  return value;
}

export function missionPath(id: string): string {
  return `/missions/${encodeURIComponent(id)}`;
}

export function missionView(row: MissionViewRow): MissionView {
  const self = missionPath(row.id);
  return {
    id: row.id,
    status: row.status,
    progress: row.progress,
    attempts: row.attempts,
    params: redactParams(row.params),
    warnings: row.warnings ?? [],
    error: row.error === null ? null : { code: row.error_code, message: row.error },
    created_at: row.created_at.toISOString(),
    started_at: iso(row.started_at),
    completed_at: iso(row.completed_at),
    updated_at: row.updated_at.toISOString(),
    cancel_requested_at: iso(row.cancel_requested_at),
    links: { self, events: `${self}/events`, cancel: `${self}/cancel` },
  };
}

/** A presigned GET URL and when it expires. */
export interface PresignedUrl {
  url: string;
  expiresAtMs: number;
  /** expiresAtMs as ISO 8601 (the body's expires_at). */
  expiresAt: string;
}

/**
 * Presigned URLs, reused while at least half of their lifetime is left. Presigning through the SDK
 * cost 3-5 ms of CPU per URL under heavy load (its middleware stack; 500 URLs on the shared 2-core
 * machine; 0.5-0.9 ms in a quieter loop of 1 200), so six products made a status read cost ~25 ms of
 * CPU and 200 concurrent reads took 5 s (p99, bench/api.bench.mjs); src/storage/presign.ts now signs
 * in ~0.01 ms, and the cache still spares that and keeps a mission's body (BodyCache) valid longer. A URL grants the same
 * access whoever asked, so sharing it is safe; every client still gets at least
 * API_PRESIGN_SECONDS / 2 of validity, and expires_at says exactly how long.
 */
export class PresignCache {
  private readonly urls = new Map<string, PresignedUrl>();
  /** 10 000 URLs of ~600 bytes: about 6 MB at most. */
  private static readonly MAX_ENTRIES = 10_000;
  private readonly presigner: S3Presigner;

  constructor(
    s3: S3Client,
    private readonly lifetimeS: number,
  ) {
    this.presigner = new S3Presigner(s3);
  }

  /** URLs for these s3:// URIs, in order; the ones not cached are presigned together per bucket. */
  async getMany(uris: readonly string[]): Promise<PresignedUrl[]> {
    const now = Date.now();
    const out: Array<PresignedUrl | undefined> = uris.map((uri) => {
      const hit = this.urls.get(uri);
      return hit !== undefined && hit.expiresAtMs - now >= (this.lifetimeS * 1000) / 2 ? hit : undefined;
    });
    const missing = new Map<string, Array<{ index: number; key: string }>>();
    out.forEach((hit, index) => {
      if (hit !== undefined) return;
      const { bucket, key } = parseS3Uri(uris[index] ?? '');
      const list = missing.get(bucket) ?? [];
      list.push({ index, key });
      missing.set(bucket, list);
    });
    if (missing.size > 0) {
      const expiresAtMs = now + this.lifetimeS * 1000;
      const expiresAt = new Date(expiresAtMs).toISOString();
      for (const [bucket, list] of missing) {
        // Presigning is local computation (HMAC over the request), no request to S3.
        const urls = await this.presigner.presignMany(bucket, list.map((m) => m.key), this.lifetimeS, new Date(now));
        list.forEach(({ index }, i) => {
          const uri = uris[index] ?? '';
          const url = urls[i];
          if (url === undefined) throw new Error(`presignMany returned ${urls.length} URLs for ${list.length} keys`);
          const entry = { url, expiresAtMs, expiresAt };
          if (this.urls.size >= PresignCache.MAX_ENTRIES) this.urls.clear();
          this.urls.set(uri, entry);
          out[index] = entry;
        });
      }
    }
    return out.map((entry, i) => {
      if (entry === undefined) throw new Error(`no presigned URL for ${uris[i] ?? '?'}`);
      return entry;
    });
  }
}

export async function productViews(presign: PresignCache, missionId: string, results: ProductRow[]): Promise<ProductView[]> {
  const urls = await presign.getMany(results.map((r) => r.uri));
  return results.map((r, i) => {
    const presigned = urls[i];
    if (presigned === undefined) throw new Error(`no presigned URL for product ${r.kind}`);
    return {
      kind: r.kind,
      bytes: r.bytes,
      content_type: r.content_type,
      sha256: r.sha256.trim(),
      url: presigned.url,
      expires_at: presigned.expiresAt,
      href: `${missionPath(missionId)}/products/${encodeURIComponent(r.kind)}`,
    };
  });
}
