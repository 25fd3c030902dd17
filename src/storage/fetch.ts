/**
 * Forcing URIs -> local file paths, under the forcing source policy (policy.ts: what a job may read,
 * each download's size and time cap). Local paths (or file://) are used in place; s3:// and https://
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
import { mkdir, readdir, realpath, rename, stat, unlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { DriftlineError } from '../errors.js';
import type { Logger } from '../logger.js';
import { parseS3Uri } from './s3-uri.js';
import type { PolicedResponse } from './http.js';
import { deniedError, forcingPolicyFor, isFileUri, isInside, isRemoteUri, localRefusal, redactForcingUri, remoteRefusal, type ForcingPolicy, type PolicyConfig } from './policy.js';

export interface FetchContext {
  /** Which sources may be read, and the size and time caps (policy.ts). */
  policy: ForcingPolicy;
  s3: S3Client | null;
  cacheDir: string;
  cacheMaxMb: number;
  logger: Logger;
  signal?: AbortSignal;
}

/**
 * A fetch context from the process config: its cache directory and size, and the queued-job policy of
 * the config unless the caller gives its own (`driftline run` allows local files anywhere).
 */
export function fetchContextFor(
  config: PolicyConfig & { FORCING_CACHE_DIR: string; FORCING_CACHE_MAX_MB: number },
  io: { s3: S3Client | null; logger: Logger; policy?: ForcingPolicy; signal?: AbortSignal },
): FetchContext {
  return {
    policy: io.policy ?? forcingPolicyFor(config),
    s3: io.s3,
    cacheDir: config.FORCING_CACHE_DIR,
    cacheMaxMb: config.FORCING_CACHE_MAX_MB,
    logger: io.logger,
    ...(io.signal ? { signal: io.signal } : {}),
  };
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

export { redactForcingUri } from './policy.js';

/**
 * The local file for one forcing URI, under ctx.policy: a refused source is E_FORCING_DENIED naming
 * `field` (e.g. `params.forcing.wind.uri[2]`) and the rule, never anything about the target.
 */
export async function localFileFor(uri: string, ctx: FetchContext, field = 'forcing uri'): Promise<LocalForcingFile> {
  if (isRemoteUri(uri)) {
    const refusal = remoteRefusal(uri, ctx.policy);
    if (refusal) throw deniedError(field, refusal);
    const scheme = uri.slice(0, uri.indexOf(':')).toLowerCase();
    return cached(uri, ctx, scheme === 's3' ? s3Source(uri, ctx, field) : httpSource(uri, ctx, field));
  }
  return { path: await localPath(uri, ctx.policy, field), uri, downloaded: false, release: noRelease };
}

/**
 * A local path or file:// URI -> the real path to open. Outside `driftline run` (local mode 'anywhere')
 * every way a file can fail the check — missing, a symlink or `..` leading out of FORCING_ALLOW_LOCAL,
 * not a regular file — gives one and the same refusal, so a job cannot learn whether a path exists.
 */
async function localPath(uri: string, policy: ForcingPolicy, field: string): Promise<string> {
  const refusal = localRefusal(policy);
  if (refusal) throw deniedError(field, refusal);
  const outside = deniedError(field, 'local files must be regular files inside FORCING_ALLOW_LOCAL (missing, outside it, or reached through a symlink or .. leading out of it)');
  let p: string;
  try {
    p = isFileUri(uri) ? fileURLToPath(uri) : uri;
  } catch {
    if (policy.local.mode !== 'anywhere') throw outside;
    throw new DriftlineError('E_FORCING_INVALID', `${field}: not a valid file:// URI`, { field });
  }
  if (policy.local.mode === 'anywhere') {
    // `driftline run`: the user's own machine; say plainly what is wrong with their file.
    try {
      const st = await stat(p);
      if (!st.isFile()) throw new Error('not a regular file');
    } catch (err) {
      throw new DriftlineError('E_FORCING_INVALID', `forcing file ${uri}: ${(err as Error).message}`, { cause: err, field });
    }
    return p;
  }
  // `..` is refused outright, as in URLs: path.resolve would fold it lexically, which is not what the
  // OS does after a symlinked directory.
  if (p.includes('\0') || p.split(/[/\\]/).includes('..')) throw outside;
  const abs = path.resolve(p);
  // Lexically outside every allowed directory: refused without touching the file system.
  if (!policy.local.dirs.some((d) => isInside(abs, d)) && !policy.local.files.includes(abs)) throw outside;
  try {
    const real = await realpath(abs);
    const dirs = await Promise.all(policy.local.dirs.map((d) => realpath(d).catch(() => null)));
    const files = await Promise.all(policy.local.files.map((f) => realpath(f).catch(() => null)));
    const inside = dirs.some((d) => d !== null && isInside(real, d)) || files.includes(real);
    if (!inside || !(await stat(real)).isFile()) throw outside;
    // The real path is opened, so a symlink swapped in after this check is not followed.
    return real;
  } catch {
    throw outside;
  }
}

interface Source {
  /** A version tag of the object (ETag, or Last-Modified + size), or null when it has none or none can be asked for. */
  version(signal: AbortSignal): Promise<string | null>;
  download(to: string, signal: AbortSignal): Promise<void>;
}

/** An error's code (ECONNREFUSED, NoSuchKey, …) without its message, which may carry addresses or remote text. */
function errorTag(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  const tag = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' && e.name !== 'Error' ? e.name : 'error';
  return status ? `${tag} (HTTP ${status})` : tag;
}

/** `deadline`: the download's signal and cap, to tell its time cap from other aborts. */
function fetchError(uri: string, err: unknown, notFound = false, deadline?: { signal: AbortSignal; ms: number }): DriftlineError {
  if (err instanceof DriftlineError) return err;
  if (deadline && passedDeadline(deadline.signal)) return timeLimit(uri, deadline.ms, err);
  const msg = err instanceof HttpStatus ? `HTTP ${err.status}` : errorTag(err);
  // A missing (or forbidden) object will not appear by retrying: permanent, but still a fetch error.
  return new DriftlineError('E_FORCING_FETCH', `forcing ${redactForcingUri(uri)}: ${notFound ? 'not found or not allowed' : 'fetch failed'}: ${msg}`, {
    cause: err,
    ...(notFound ? { retryable: false } : {}),
  });
}

/** Aborted by the download's own deadline (AbortSignal.timeout), not by a shutdown. */
function passedDeadline(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError';
}

class HttpStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

function tooLarge(uri: string, policy: ForcingPolicy): DriftlineError {
  return new DriftlineError('E_FORCING_LIMIT', `forcing ${redactForcingUri(uri)}: larger than FORCING_MAX_MB (${policy.maxBytes / 1024 / 1024} MiB)`);
}

/** Passes bytes through until more than maxBytes went by, then fails the pipeline (a lying or absent Content-Length). */
function byteCap(uri: string, policy: ForcingPolicy): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > policy.maxBytes) done(tooLarge(uri, policy));
      else done(null, chunk);
    },
  });
}

function checkDeclaredSize(uri: string, policy: ForcingPolicy, bytes: number | undefined): void {
  if (bytes !== undefined && Number.isFinite(bytes) && bytes > policy.maxBytes) throw tooLarge(uri, policy);
}

/** Missing or forbidden: retrying the same request cannot succeed (an operator must fix the job or the rights). */
function isNotFound(err: unknown): boolean {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  const status = e?.$metadata?.httpStatusCode;
  return ['NotFound', 'NoSuchKey', 'NoSuchBucket', 'AccessDenied', 'Forbidden'].includes(e?.name ?? '') || status === 404 || status === 403;
}

function s3Source(uri: string, ctx: FetchContext, field: string): Source {
  let bucket: string;
  let key: string;
  try {
    ({ bucket, key } = parseS3Uri(`s3://${uri.slice('s3://'.length)}`));
  } catch {
    throw new DriftlineError('E_FORCING_INVALID', `${field}: an s3:// URI needs a bucket and a key (s3://bucket/key)`, { field });
  }
  const client = () => {
    if (!ctx.s3) throw new DriftlineError('E_FORCING_FETCH', `forcing ${redactForcingUri(uri)}: no S3 client configured (set S3_ENDPOINT / credentials)`, { retryable: false });
    return ctx.s3;
  };
  return {
    async version(signal) {
      try {
        // Loaded here, not at start-up: a local run never needs the SDK (0.3–2 s of imports).
        const { HeadObjectCommand } = await import('@aws-sdk/client-s3');
        const head = await client().send(new HeadObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        checkDeclaredSize(uri, ctx.policy, head.ContentLength);
        return head.ETag ?? (head.LastModified ? `${head.LastModified.toISOString()}-${head.ContentLength}` : null);
      } catch (err) {
        throw fetchError(uri, err, isNotFound(err), { signal, ms: ctx.policy.fetchTimeoutMs });
      }
    },
    async download(to, signal) {
      try {
        const { GetObjectCommand } = await import('@aws-sdk/client-s3');
        const obj = await client().send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
        if (!obj.Body) throw new Error('empty body');
        checkDeclaredSize(uri, ctx.policy, obj.ContentLength);
        await pipeline(obj.Body as Readable, byteCap(uri, ctx.policy), createWriteStream(to), { signal });
      } catch (err) {
        throw fetchError(uri, err, isNotFound(err), { signal, ms: ctx.policy.fetchTimeoutMs });
      }
    },
  };
}

function httpSource(uri: string, ctx: FetchContext, field: string): Source {
  // node:http, node:https and node:dns load only for an http(s) source (~10 ms of every start otherwise).
  const request = async (method: 'HEAD' | 'GET', signal: AbortSignal) =>
    (await import('./http.js')).policedRequest(uri, method, { policy: ctx.policy, field, signal, logger: ctx.logger });
  const declared = (res: PolicedResponse) => {
    const n = res.headers['content-length'];
    return n === undefined ? undefined : Number(n);
  };
  return {
    async version(signal) {
      let res: PolicedResponse;
      try {
        res = await request('HEAD', signal);
        res.body.resume();
      } catch (err) {
        throw fetchError(uri, err, false, { signal, ms: ctx.policy.fetchTimeoutMs });
      }
      if (res.status === 404 || res.status === 410) throw fetchError(uri, new HttpStatus(res.status), true);
      // HEAD refused (presigned URLs are signed for GET only; some servers do not implement HEAD): no
      // version to cache by; the GET decides whether the object can be had at all.
      if (res.status === 403 || res.status === 405 || res.status === 501) return null;
      if (res.status < 200 || res.status > 299) throw fetchError(uri, new HttpStatus(res.status));
      checkDeclaredSize(uri, ctx.policy, declared(res));
      const etag = res.headers.etag;
      const lm = res.headers['last-modified'];
      return etag ?? (lm ? `${lm}-${res.headers['content-length']}` : null);
    },
    async download(to, signal) {
      let res: PolicedResponse;
      try {
        res = await request('GET', signal);
      } catch (err) {
        throw fetchError(uri, err, false, { signal, ms: ctx.policy.fetchTimeoutMs });
      }
      try {
        // Missing or forbidden stays so on retry: permanent. Other statuses (5xx, 429) may pass.
        if ([401, 403, 404, 410].includes(res.status)) throw fetchError(uri, new HttpStatus(res.status), true);
        if (res.status < 200 || res.status > 299) throw new HttpStatus(res.status);
        checkDeclaredSize(uri, ctx.policy, declared(res));
        await pipeline(res.body, byteCap(uri, ctx.policy), createWriteStream(to), { signal });
      } catch (err) {
        res.body.destroy();
        throw fetchError(uri, err, false, { signal, ms: ctx.policy.fetchTimeoutMs });
      }
    },
  };
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * One download's deadline (FORCING_FETCH_TIMEOUT_SECONDS over HEAD and GET together), combined with
 * the caller's signal. Passing the cap is permanent (E_FORCING_LIMIT): a download that did not finish
 * in it is too big for the link or served by a stalled or dripping server, and every retry would hold
 * a mission slot for the whole cap again (×MAX_ATTEMPTS); network errors before the cap stay retryable.
 * The error is made where the abort lands (fetchError), so missions sharing the download get it too.
 */
function timeLimit(uri: string, ms: number, cause: unknown): DriftlineError {
  return new DriftlineError('E_FORCING_LIMIT', `forcing ${redactForcingUri(uri)}: not downloaded within FORCING_FETCH_TIMEOUT_SECONDS (${ms / 1000} s), HEAD at most ${HEAD_TIMEOUT_MS / 1000} s of it`, { cause });
}

/**
 * A HEAD (or S3 HeadObject) carries no body: servers answer it in well under a second. 60 s covers DNS
 * and a TLS handshake on a poor link, and bounds a silent server at 1/15 of the default total cap.
 */
const HEAD_TIMEOUT_MS = 60_000;

function deadlineSignal(ctx: FetchContext): AbortSignal {
  const deadline = AbortSignal.timeout(ctx.policy.fetchTimeoutMs);
  return ctx.signal ? AbortSignal.any([ctx.signal, deadline]) : deadline;
}

async function cached(uri: string, ctx: FetchContext, source: Source): Promise<LocalForcingFile> {
  return cachedWithin(uri, ctx, source, deadlineSignal(ctx));
}

async function cachedWithin(uri: string, ctx: FetchContext, source: Source, signal: AbortSignal): Promise<LocalForcingFile> {
  const version = await source.version(AbortSignal.any([signal, AbortSignal.timeout(Math.min(HEAD_TIMEOUT_MS, ctx.policy.fetchTimeoutMs))]));
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
      job = fetchInto(file, uri, ctx, source, signal);
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
async function fetchInto(file: string, uri: string, ctx: FetchContext, source: Source, signal: AbortSignal): Promise<{ downloaded: boolean }> {
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
    await source.download(tmp, signal);
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
