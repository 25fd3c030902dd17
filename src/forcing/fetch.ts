/**
 * Forcing URIs -> local file paths. Local paths (or file://) are used in place; s3:// and https://
 * objects are downloaded once per worker into FORCING_CACHE_DIR, keyed by URI and ETag, so a second
 * mission on the same file reads it from disk and a changed object (new ETag) is fetched again.
 *
 * Safe with concurrent missions: one download per key at a time in this process (a promise per key),
 * written to a temp file and renamed into place (atomic on one file system), so another process never
 * sees half a file. The cache is kept under FORCING_CACHE_MAX_MB by evicting least-recently-used files
 * (a hit touches the file's mtime).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DriftlineError } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseS3Uri } from '../storage/s3.js';

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
}

const inFlight = new Map<string, Promise<LocalForcingFile>>();

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
  return { path: p, uri, downloaded: false };
}

interface Source {
  /** A version tag of the object (ETag, or Last-Modified + size), or null when it has none. */
  version(): Promise<string | null>;
  download(to: string): Promise<void>;
}

function fetchError(uri: string, err: unknown, notFound = false): DriftlineError {
  if (err instanceof DriftlineError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  // A missing object will not appear by retrying: permanent, but still a fetch error.
  return new DriftlineError('E_FORCING_FETCH', `forcing ${uri}: ${notFound ? 'not found' : 'fetch failed'}: ${msg}`, {
    cause: err,
    ...(notFound ? { retryable: false } : {}),
  });
}

function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NotFound' || e?.name === 'NoSuchKey' || e?.name === 'NoSuchBucket' || e?.$metadata?.httpStatusCode === 404;
}

function s3Source(uri: string, ctx: FetchContext): Source {
  const { bucket, key } = parseS3Uri(uri);
  const client = () => {
    if (!ctx.s3) throw new DriftlineError('E_FORCING_FETCH', `forcing ${uri}: no S3 client configured (set S3_ENDPOINT / credentials)`, { retryable: false });
    return ctx.s3;
  };
  return {
    async version() {
      try {
        const head = await client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: ctx.signal });
        return head.ETag ?? (head.LastModified ? `${head.LastModified.toISOString()}-${head.ContentLength}` : null);
      } catch (err) {
        throw fetchError(uri, err, isNotFound(err));
      }
    },
    async download(to) {
      try {
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
  return {
    async version() {
      let res: Response;
      try {
        res = await fetch(uri, { method: 'HEAD', ...(ctx.signal ? { signal: ctx.signal } : {}) });
      } catch (err) {
        throw fetchError(uri, err);
      }
      if (res.status === 404 || res.status === 410) throw fetchError(uri, new Error(`HTTP ${res.status}`), true);
      if (!res.ok) throw fetchError(uri, new Error(`HTTP ${res.status}`));
      const etag = res.headers.get('etag');
      const lm = res.headers.get('last-modified');
      return etag ?? (lm ? `${lm}-${res.headers.get('content-length')}` : null);
    },
    async download(to) {
      try {
        const res = await fetch(uri, ctx.signal ? { signal: ctx.signal } : {});
        if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
        await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(to), ctx.signal ? { signal: ctx.signal } : {});
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
  const key = `${sha(uri).slice(0, 24)}-${sha(version ?? `nocache-${Date.now()}-${randomBytes(4).toString('hex')}`).slice(0, 16)}.nc`;
  const file = path.join(ctx.cacheDir, key);
  const pending = inFlight.get(file);
  if (pending) {
    const r = await pending;
    return { ...r, downloaded: false };
  }
  const job = (async (): Promise<LocalForcingFile> => {
    await mkdir(ctx.cacheDir, { recursive: true });
    try {
      await stat(file);
      const now = new Date();
      await utimes(file, now, now); // LRU: a hit makes the file recent
      ctx.logger.debug({ uri, file }, 'forcing cache hit');
      return { path: file, uri, downloaded: false };
    } catch {
      // not cached
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
    ctx.logger.info({ uri, bytes: size, ms: Date.now() - t0 }, 'forcing downloaded');
    await evict(ctx, file);
    return { path: file, uri, downloaded: true };
  })();
  inFlight.set(file, job);
  try {
    return await job;
  } finally {
    inFlight.delete(file);
  }
}

/** Delete least-recently-used cache files until the cache fits FORCING_CACHE_MAX_MB (never `keep`). */
async function evict(ctx: FetchContext, keep: string): Promise<void> {
  const limit = ctx.cacheMaxMb * 1024 * 1024;
  const entries: Array<{ file: string; size: number; mtimeMs: number }> = [];
  for (const name of await readdir(ctx.cacheDir)) {
    if (name.includes('.tmp-')) continue;
    const file = path.join(ctx.cacheDir, name);
    try {
      const st = await stat(file);
      if (st.isFile()) entries.push({ file, size: st.size, mtimeMs: st.mtimeMs });
    } catch {
      // removed meanwhile by another worker
    }
  }
  let total = entries.reduce((a, e) => a + e.size, 0);
  entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const e of entries) {
    if (total <= limit) break;
    if (e.file === keep || inFlight.has(e.file)) continue;
    // An open file survives unlink on POSIX, so a mission still reading it is not disturbed.
    await unlink(e.file).catch(() => undefined);
    total -= e.size;
    ctx.logger.info({ file: e.file, bytes: e.size }, 'forcing cache eviction');
  }
}
