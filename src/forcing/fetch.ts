/**
 * Forcing URIs -> local file paths. Local paths (or file://) are used in place; s3:// and https://
 * objects are downloaded once per worker into FORCING_CACHE_DIR, keyed by URI and ETag, so a second
 * mission on the same file reads it from disk and a changed object (new ETag) is fetched again.
 *
 * Safe with concurrent missions:
 *  - one download per key at a time in this process (a promise per key), written to a temp file and
 *    renamed into place (atomic on one file system), so no reader, in this or another process sharing
 *    the directory, ever sees half a file;
 *  - a file handed to a mission is pinned until the mission releases it, and eviction skips pinned
 *    files, so one mission's download never evicts the file another is about to open;
 *  - another worker process sharing the directory may still evict a file between our look-up and our
 *    open: load.ts then fetches it once more (ENOENT is the only symptom; an open file survives unlink).
 * The cache is kept under FORCING_CACHE_MAX_MB by evicting least-recently-used files (a hit touches
 * the file's mtime). Objects without an ETag or Last-Modified, or whose server refuses HEAD (presigned
 * URLs are signed for GET only), are downloaded for the mission alone and deleted on release.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { DriftlineError } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseS3Uri } from '../storage/s3-uri.js';

export interface FetchContext {
  s3: S3Client | null;
  cacheDir: string;
  cacheMaxMb: number;
  logger: Logger;
  signal?: AbortSignal;
}

export interface LocalForcingFile {
  path: string;
  uri: string;
  /** True when this call downloaded the object (false: local file or cache hit). */
  downloaded: boolean;
  /** Unpins the cache file (and deletes it if it was downloaded for this mission only). Idempotent. */
  release(): Promise<void>;
}

/** Temp files older than this are left-overs of a killed process (a download never takes a day). */
const STALE_TEMP_MS = 24 * 3600 * 1000;

const inFlight = new Map<string, Promise<{ downloaded: boolean }>>();
/** Cache files handed out and not yet released, with their number of holders. */
const pins = new Map<string, number>();

function pin(file: string): () => Promise<void> {
  pins.set(file, (pins.get(file) ?? 0) + 1);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const n = (pins.get(file) ?? 1) - 1;
    if (n > 0) pins.set(file, n);
    else pins.delete(file);
  };
}

/** Files currently pinned in this process (for tests and logs). */
export function pinnedCacheFiles(): string[] {
  return [...pins.keys()];
}

const noRelease = async () => undefined;

/**
 * A URI as it may appear in logs, error messages, the mission row and product metadata: no password and
 * no query string (presigned URLs carry their signature and credential there).
 */
export function redactForcingUri(uri: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return uri;
  try {
    const u = new URL(uri);
    if (u.password) u.password = '***';
    const query = u.search !== '';
    u.search = '';
    return query ? `${u.toString()}?<query redacted>` : u.toString();
  } catch {
    return uri.replace(/\?.*$/, '?<query redacted>');
  }
}

export async function localFileFor(uri: string, ctx: FetchContext): Promise<LocalForcingFile> {
  if (uri.startsWith('s3://')) return cached(uri, ctx, s3Source(uri, ctx));
  if (/^https?:\/\//i.test(uri)) return cached(uri, ctx, httpSource(uri, ctx));
  const p = uri.startsWith('file://') ? fileURLToPath(uri) : uri;
  try {
    const st = await stat(p);
    if (!st.isFile()) throw new Error('not a regular file');
  } catch (err) {
    throw new DriftlineError('E_FORCING_INVALID', `forcing file ${uri}: ${(err as Error).message}`, { cause: err });
  }
  return { path: p, uri, downloaded: false, release: noRelease };
}

interface Source {
  /** A version tag of the object (ETag, or Last-Modified + size), or null when it has none or none can be asked for. */
  version(): Promise<string | null>;
  download(to: string): Promise<void>;
}

function fetchError(uri: string, err: unknown, notFound = false): DriftlineError {
  if (err instanceof DriftlineError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  // A missing (or forbidden) object will not appear by retrying: permanent, but still a fetch error.
  return new DriftlineError('E_FORCING_FETCH', `forcing ${redactForcingUri(uri)}: ${notFound ? 'not found or not allowed' : 'fetch failed'}: ${msg}`, {
    cause: err,
    ...(notFound ? { retryable: false } : {}),
  });
}

/** Missing or forbidden: retrying the same request cannot succeed (an operator must fix the job or the rights). */
function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return ['NotFound', 'NoSuchKey', 'NoSuchBucket', 'AccessDenied', 'Forbidden'].includes(e?.name ?? '') || status === 404 || status === 403;
}

function s3Source(uri: string, ctx: FetchContext): Source {
  const { bucket, key } = parseS3Uri(uri);
  const client = () => {
    if (!ctx.s3) throw new DriftlineError('E_FORCING_FETCH', `forcing ${redactForcingUri(uri)}: no S3 client configured (set S3_ENDPOINT / credentials)`, { retryable: false });
    return ctx.s3;
  };
  return {
    async version() {
      try {
        // Loaded here, not at start-up: a local run never needs the SDK (0.3–2 s of imports).
        const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
        const head = await client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: ctx.signal });
        return head.ETag ?? (head.LastModified ? `${head.LastModified.toISOString()}-${head.ContentLength}` : null);
      } catch (err) {
        throw fetchError(uri, err, isNotFound(err));
      }
    },
    async download(to) {
      try {
        const { GetObjectCommand } = await import('@aws-sdk/client-s3');
        const obj = await client().send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: ctx.signal });
        if (!obj.Body) throw new Error('empty body');
        await pipeline(obj.Body as Readable, createWriteStream(to), { signal: ctx.signal });
      } catch (err) {
        throw fetchError(uri, err, isNotFound(err));
      }
    },
  };
}

function httpSource(uri: string, ctx: FetchContext): Source {
  const signal = ctx.signal ? { signal: ctx.signal } : {};
  return {
    async version() {
      let res: Response;
      try {
        res = await fetch(uri, { method: 'HEAD', ...signal });
      } catch (err) {
        throw fetchError(uri, err);
      }
      if (res.status === 404 || res.status === 410) throw fetchError(uri, new Error(`HTTP ${res.status}`), true);
      // HEAD refused (presigned URLs are signed for GET only; some servers do not implement HEAD): no
      // version to cache by; the GET decides whether the object can be had at all.
      if (res.status === 403 || res.status === 405 || res.status === 501) return null;
      if (!res.ok) throw fetchError(uri, new Error(`HTTP ${res.status}`));
      const etag = res.headers.get('etag');
      const lm = res.headers.get('last-modified');
      return etag ?? (lm ? `${lm}-${res.headers.get('content-length')}` : null);
    },
    async download(to) {
      let res: Response;
      try {
        res = await fetch(uri, signal);
      } catch (err) {
        throw fetchError(uri, err);
      }
      // Missing or forbidden stays so on retry: permanent. Other statuses (5xx, 429) may pass.
      if ([401, 403, 404, 410].includes(res.status)) throw fetchError(uri, new Error(`HTTP ${res.status}`), true);
      try {
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(to), signal);
      } catch (err) {
        throw fetchError(uri, err);
      }
    },
  };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

async function cached(uri: string, ctx: FetchContext, source: Source): Promise<LocalForcingFile> {
  const version = await source.version();
  // Without a version tag nothing tells us the object is unchanged: download it for this mission only.
  const ephemeral = version === null;
  const key = `${sha(uri).slice(0, 24)}-${sha(version ?? `nocache-${Date.now()}-${randomBytes(4).toString('hex')}`).slice(0, 16)}.nc`;
  const file = path.join(ctx.cacheDir, key);
  // Pinned from here, before any await, so no eviction in this process removes it under us.
  const unpin = pin(file);
  const release = async () => {
    await unpin();
    if (ephemeral && !pins.has(file)) await unlink(file).catch(() => undefined);
  };
  try {
    let job = inFlight.get(file);
    const shared = job !== undefined;
    if (!job) {
      job = fetchInto(file, uri, ctx, source);
      inFlight.set(file, job);
      void job.finally(() => inFlight.delete(file)).catch(() => undefined);
    }
    const { downloaded } = await job;
    return { path: file, uri, downloaded: downloaded && !shared, release };
  } catch (err) {
    await release();
    throw err;
  }
}

/** Cache hit (touching the file for LRU) or download to a temp file renamed into place, then eviction. */
async function fetchInto(file: string, uri: string, ctx: FetchContext, source: Source): Promise<{ downloaded: boolean }> {
  await mkdir(ctx.cacheDir, { recursive: true });
  try {
    await stat(file);
    const now = new Date();
    await utimes(file, now, now); // LRU: a hit makes the file recent
    ctx.logger.debug({ uri: redactForcingUri(uri), file }, 'forcing cache hit');
    return { downloaded: false };
  } catch {
    // not cached (or evicted by another process between stat and utimes: download it again)
  }
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const t0 = Date.now();
  try {
    await source.download(tmp);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  const size = (await stat(file)).size;
  ctx.logger.info({ uri: redactForcingUri(uri), bytes: size, ms: Date.now() - t0 }, 'forcing downloaded');
  await evict(ctx, file);
  return { downloaded: true };
}

/**
 * Delete least-recently-used cache files until the cache fits FORCING_CACHE_MAX_MB, never `keep` nor a
 * pinned file. Temp files of downloads that died with their process (older than a day) go too.
 */
async function evict(ctx: FetchContext, keep: string): Promise<void> {
  const limit = ctx.cacheMaxMb * 1024 * 1024;
  const entries: Array<{ file: string; size: number; mtimeMs: number }> = [];
  const now = Date.now();
  for (const name of await readdir(ctx.cacheDir)) {
    const file = path.join(ctx.cacheDir, name);
    try {
      const st = await stat(file);
      if (!st.isFile()) continue;
      if (name.includes('.tmp-')) {
        if (now - st.mtimeMs > STALE_TEMP_MS) await unlink(file).catch(() => undefined);
        continue;
      }
      entries.push({ file, size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // removed meanwhile by another worker
    }
  }
  let total = entries.reduce((a, e) => a + e.size, 0);
  entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const e of entries) {
    if (total <= limit) break;
    if (e.file === keep || pins.has(e.file) || inFlight.has(e.file)) continue;
    // An open file survives unlink on POSIX, so a mission (here or in another process) still reading it
    // is not disturbed.
    await unlink(e.file).catch(() => undefined);
    total -= e.size;
    ctx.logger.info({ file: e.file, bytes: e.size }, 'forcing cache eviction');
  }
}
