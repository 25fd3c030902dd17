/**
 * Forcing from S3 (a real s3rver on 127.0.0.1) and https-like URLs (a local HTTP server), through the
 * per-worker download cache keyed by ETag.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0_SEC, windField } from '../../scripts/make-forcing.lib.mjs';
import { loadConfig, type Config } from '../../src/config.js';
import { localFileFor, pinnedCacheFiles, redactForcingUri, type FetchContext } from '../../src/storage/fetch.js';
import { loadForcingFor } from '../helpers/forcing.js';
import { forcingPolicyFor } from '../../src/storage/policy.js';
import { createVectorSampler } from '../../src/forcing/sampler.js';
import { validateJob } from '../../src/job/validate.js';
import { toModelParams } from '../../src/job/resolve.js';
import { silentLogger, type Logger } from '../../src/logger.js';
import { createS3Client } from '../../src/storage/s3.js';
import { at } from '../helpers/indexed.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
let s3server: { run(): Promise<{ port: number }>; close(): Promise<void> };
let s3: S3Client;
let http: Server;
let httpBase: string;
let httpGets = 0;
const bucket = `forcing-${process.pid}-${Date.now().toString(36)}`;

/**
 * The test's sources are its s3rver bucket and an HTTP server on loopback: allowed explicitly, with
 * private networks opted in (a queued job's default policy would refuse both).
 */
function testConfig(cacheName: string): Config {
  return loadConfig({ FORCING_CACHE_DIR: path.join(dir, cacheName), FORCING_ALLOW: `s3://${bucket}/,${httpBase}/`, FORCING_ALLOW_PRIVATE_NETWORKS: 'true' });
}

function ctx(cacheName: string, maxMb = 100): FetchContext {
  return { policy: forcingPolicyFor(testConfig(cacheName)), s3, cacheDir: path.join(dir, cacheName), cacheMaxMb: maxMb, logger: silentLogger };
}

async function put(key: string, file: string): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-fetch-'));
  const r = spawnSync(process.execPath, ['scripts/make-forcing', '--out', path.join(dir, 'src')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make-forcing failed: ${r.stderr}`);
  s3server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(dir, 's3rver') });
  const { port } = await s3server.run();
  s3 = createS3Client({ S3_ENDPOINT: `http://127.0.0.1:${port}`, S3_ACCESS_KEY: 'S3RVER', S3_SECRET_KEY: 'S3RVER', S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  await put('wind/wind_lonlat.nc', path.join(dir, 'src', 'wind_lonlat.nc'));

  // A minimal static file server with ETags (what an https forcing server provides).
  // /noetag/<f>: no ETag or Last-Modified; /nohead/<f>: HEAD refused (405, as for GET-presigned URLs);
  // /forbidden/<f>: 403 for everything.
  http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const mode = url.pathname.split('/')[1];
    if (mode === 'forbidden') return void res.writeHead(403).end();
    if (mode === 'nohead' && req.method === 'HEAD') return void res.writeHead(405).end();
    const file = path.join(dir, 'src', path.basename(url.pathname));
    let st;
    try {
      st = statSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { ...(mode === 'noetag' ? {} : { etag: `"${st.size}-${st.mtimeMs}"` }), 'content-length': st.size });
    if (req.method === 'HEAD') return void res.end();
    httpGets++;
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const addr = http.address();
  httpBase = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  s3?.destroy();
  await s3server?.close();
  await new Promise((resolve) => http?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('forcing from S3', () => {
  it('loadForcing reads an s3:// wind file through the S3 client', async () => {
    const params = validateJob({
      mission_id: 'm-s3',
      params: { latitude: 60, longitude: 6, start_time: '2024-01-01T01:00:00Z', duration_hours: 6, forcing: { wind: { uri: `s3://${bucket}/wind/wind_lonlat.nc` } } },
    }).params;
    const config = testConfig('cache-load');
    const f = await loadForcingFor(params, toModelParams(params), { config, s3, logger: silentLogger });
    expect(f.sources.wind).toMatchObject({ kind: 'file', description: `s3://${bucket}/wind/wind_lonlat.nc`, fallback: false });
    const u = new Float32Array(1);
    const v = new Float32Array(1);
    const t = T0_SEC + 3 * 3600;
    createVectorSampler(f.wind).sample(Float64Array.of(6), Float64Array.of(60), 0, 1, t, u, v);
    expect(Math.abs(at(u, 0) - windField(6, 60, t)[0])).toBeLessThan(1e-4); // float32 storage
  });

  it('caches by ETag: the second fetch is a hit, a changed object is fetched again', async () => {
    const c = ctx('cache-etag');
    const uri = `s3://${bucket}/wind/etag.nc`;
    await put('wind/etag.nc', path.join(dir, 'src', 'wind_lonlat.nc'));
    const a = await localFileFor(uri, c);
    expect(a.downloaded).toBe(true);
    const b = await localFileFor(uri, c);
    expect(b.downloaded).toBe(false);
    expect(b.path).toBe(a.path);
    // New content -> new ETag -> new download under a new key.
    await put('wind/etag.nc', path.join(dir, 'src', 'current_packed_desc.nc'));
    const d = await localFileFor(uri, c);
    expect(d.downloaded).toBe(true);
    expect(d.path).not.toBe(a.path);
    expect(readFileSync(d.path).equals(readFileSync(path.join(dir, 'src', 'current_packed_desc.nc')))).toBe(true);
  });

  it('concurrent loads of one object download it once and all get the same complete file', async () => {
    const c = ctx('cache-concurrent');
    const uri = `s3://${bucket}/wind/wind_lonlat.nc`;
    const results = await Promise.all(Array.from({ length: 6 }, () => localFileFor(uri, c)));
    expect(results.filter((r) => r.downloaded)).toHaveLength(1);
    expect(new Set(results.map((r) => r.path)).size).toBe(1);
    expect(readFileSync(at(results, 0).path).equals(readFileSync(path.join(dir, 'src', 'wind_lonlat.nc')))).toBe(true);
    // Pinned once per holder until each releases.
    expect(pinnedCacheFiles()).toContain(at(results, 0).path);
    for (const r of results) await r.release();
    expect(pinnedCacheFiles()).not.toContain(at(results, 0).path);
    // No temp files left behind.
    expect(readdirSync(path.join(dir, 'cache-concurrent')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  /**
   * Until the clock is past `file`'s mtime by one kernel tick, so that the next file used gets a later
   * mtime and the LRU order (by mtime) is the order of use. File timestamps come from a clock the
   * kernel updates once a tick (4 ms at HZ=250, 10 ms at HZ=100): 10 ms covers both.
   */
  const pastMtime = (file: string) => waitFor(`the clock to pass the mtime of ${path.basename(file)}`, () => Date.now() >= statSync(file).mtimeMs + 10, 5000, 2);

  it('evicts least-recently-used files beyond FORCING_CACHE_MAX_MB', async () => {
    // Each test file is ~0.33 MB; a 1 MB cache holds three, so the fourth evicts the least recently used.
    const c = ctx('cache-lru', 1);
    const names = ['wind_lonlat.nc', 'current_packed_desc.nc', 'wind_0360.nc4', 'current_lonlat.nc4'];
    for (const n of names) await put(`lru/${n}`, path.join(dir, 'src', n));
    // Each mission releases its file when done, as loadForcing does.
    const use = async (n: string) => {
      const f = await localFileFor(`s3://${bucket}/lru/${n}`, c);
      await f.release();
      await pastMtime(f.path);
      return f;
    };
    const first = await use(at(names, 0));
    const second = await use(at(names, 1));
    await use(at(names, 2));
    // Touch the first: now the second is the least recently used.
    expect((await use(at(names, 0))).downloaded).toBe(false);
    await use(at(names, 3));
    const left = readdirSync(path.join(dir, 'cache-lru'));
    expect(left).toContain(path.basename(first.path));
    expect(left).not.toContain(path.basename(second.path));
    const total = left.reduce((a, n) => a + statSync(path.join(dir, 'cache-lru', n)).size, 0);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
  });

  it("a file a mission holds is not evicted by another mission's download; released, it can be", async () => {
    const c = ctx('cache-pins', 1);
    const names = ['wind_lonlat.nc', 'current_packed_desc.nc', 'wind_0360.nc4', 'current_lonlat.nc4', 'current_polar_east.nc4'];
    for (const n of names) await put(`pins/${n}`, path.join(dir, 'src', n));
    const fetchAndRelease = async (n: string) => {
      const f = await localFileFor(`s3://${bucket}/pins/${n}`, c);
      await f.release();
      await pastMtime(f.path);
      return f;
    };
    const held = await localFileFor(`s3://${bucket}/pins/${names[0]}`, c); // mission A, not done yet
    await pastMtime(held.path);
    const b = await fetchAndRelease(at(names, 1));
    await fetchAndRelease(at(names, 2));
    // 4 × 0.34 MB > 1 MiB: the least recently used file must go. That is A's, but A holds it: B goes.
    await fetchAndRelease(at(names, 3));
    expect(existsSync(held.path)).toBe(true);
    expect(existsSync(b.path)).toBe(false);
    await held.release();
    // A released: the next download evicts it (least recently used, 3 × 0.34 + 0.13 MB > 1 MiB).
    await fetchAndRelease(at(names, 4));
    expect(existsSync(held.path)).toBe(false);
  });

  it('a cache file evicted by another worker process between look-up and open is fetched again', async () => {
    const cacheDir = path.join(dir, 'cache-vanish');
    const uri = `s3://${bucket}/wind/wind_lonlat.nc`;
    await (await localFileFor(uri, ctx('cache-vanish'))).release(); // cached
    // Another process sharing the directory evicts the file right after our cache hit (the hit is logged
    // just before the path is handed back): simulated by deleting it from the log call.
    let vanished = 0;
    const logger = Object.create(silentLogger, {
      debug: {
        value: (obj: { file?: string }, msg?: string) => {
          if (msg === 'forcing cache hit' && obj.file && vanished++ === 0) unlinkSync(obj.file);
        },
      },
    }) as Logger;
    const params = validateJob({
      mission_id: 'm-vanish',
      params: { latitude: 60, longitude: 6, start_time: '2024-01-01T01:00:00Z', duration_hours: 6, forcing: { wind: { uri } } },
    }).params;
    const config = testConfig('cache-vanish');
    const f = await loadForcingFor(params, toModelParams(params), { config, s3, logger });
    expect(vanished).toBe(1);
    expect(f.wind.kind).toBe('grid');
    expect(readdirSync(cacheDir).filter((n) => n.endsWith('.nc'))).toHaveLength(1);
  });

  it('a missing object is E_FORCING_FETCH, not retryable; an unreachable endpoint is E_FORCING_FETCH, retryable', async () => {
    await expect(localFileFor(`s3://${bucket}/nope.nc`, ctx('cache-missing'))).rejects.toMatchObject({ code: 'E_FORCING_FETCH', retryable: false });
    const dead = createS3Client({ S3_ENDPOINT: 'http://127.0.0.1:1', S3_ACCESS_KEY: 'x', S3_SECRET_KEY: 'y', S3_REGION: 'us-east-1', S3_FORCE_PATH_STYLE: true });
    await expect(localFileFor(`s3://${bucket}/wind/wind_lonlat.nc`, { ...ctx('cache-dead'), s3: dead })).rejects.toMatchObject({ code: 'E_FORCING_FETCH', retryable: true });
    dead.destroy();
  });
});

describe('forcing over HTTP', () => {
  it('downloads once by ETag and reuses the cached copy', async () => {
    const c = ctx('cache-http');
    const before = httpGets;
    const a = await localFileFor(`${httpBase}/wind_0360.nc4`, c);
    const b = await localFileFor(`${httpBase}/wind_0360.nc4`, c);
    expect(a.downloaded).toBe(true);
    expect(b.downloaded).toBe(false);
    expect(httpGets - before).toBe(1);
    expect(readFileSync(a.path).equals(readFileSync(path.join(dir, 'src', 'wind_0360.nc4')))).toBe(true);
    await expect(localFileFor(`${httpBase}/absent.nc`, c)).rejects.toMatchObject({ code: 'E_FORCING_FETCH', retryable: false });
  });

  it('objects without a version tag, or whose server refuses HEAD, are fetched for the mission only and deleted on release', async () => {
    for (const mode of ['noetag', 'nohead']) {
      const c = ctx(`cache-${mode}`);
      const a = await localFileFor(`${httpBase}/${mode}/wind_lonlat.nc`, c);
      const b = await localFileFor(`${httpBase}/${mode}/wind_lonlat.nc`, c);
      expect([a.downloaded, b.downloaded]).toEqual([true, true]);
      expect(a.path).not.toBe(b.path);
      expect(readFileSync(a.path).equals(readFileSync(path.join(dir, 'src', 'wind_lonlat.nc')))).toBe(true);
      await a.release();
      await b.release();
      expect(existsSync(a.path) || existsSync(b.path)).toBe(false);
    }
  });

  it('403 is a permanent E_FORCING_FETCH; presigned query strings never reach messages or metadata', async () => {
    await expect(localFileFor(`${httpBase}/forbidden/wind_lonlat.nc?X-Amz-Signature=s3cr3t`, ctx('cache-403'))).rejects.toSatisfy(
      (e: { code: string; retryable: boolean; message: string }) => e.code === 'E_FORCING_FETCH' && !e.retryable && !e.message.includes('s3cr3t'),
    );
    expect(redactForcingUri('https://user:pw@host/a.nc?X-Amz-Signature=s3cr3t')).toBe('https://user:***@host/a.nc?<query redacted>');
    expect(redactForcingUri('/data/a.nc')).toBe('/data/a.nc');
    const params = validateJob({
      mission_id: 'm-presigned',
      params: { latitude: 60, longitude: 6, start_time: '2024-01-01T01:00:00Z', duration_hours: 6, forcing: { wind: { uri: `${httpBase}/wind_lonlat.nc?X-Amz-Signature=s3cr3t` } } },
    }).params;
    const f = await loadForcingFor(params, toModelParams(params), { config: testConfig('cache-presigned'), s3, logger: silentLogger });
    expect(f.sources.wind.description).toBe(`${httpBase}/wind_lonlat.nc?<query redacted>`);
  });

  it('temp files of downloads that died with their process are removed after a day', async () => {
    const cacheDir = path.join(dir, 'cache-stale');
    mkdirSync(cacheDir, { recursive: true });
    const stale = path.join(cacheDir, 'x.nc.tmp-99999-dead');
    const fresh = path.join(cacheDir, 'y.nc.tmp-99999-busy');
    writeFileSync(stale, 'partial');
    writeFileSync(fresh, 'partial');
    const twoDaysAgo = new Date(Date.now() - 2 * 86400_000);
    utimesSync(stale, twoDaysAgo, twoDaysAgo);
    await (await localFileFor(`${httpBase}/wind_0360.nc4`, ctx('cache-stale'))).release();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true);
  });
});
