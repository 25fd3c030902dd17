/**
 * Forcing from S3 (a real s3rver on 127.0.0.1) and https-like URLs (a local HTTP server), through the
 * per-worker download cache keyed by ETag.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
// @ts-expect-error s3rver ships no types
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T0_SEC, windField } from '../../scripts/make-forcing.lib.mjs';
import { loadConfig, type Config } from '../../src/config.js';
import { localFileFor, type FetchContext } from '../../src/forcing/fetch.js';
import { loadForcing } from '../../src/forcing/load.js';
import { createVectorSampler } from '../../src/forcing/sampler.js';
import { toModelParams, validateJob } from '../../src/job.js';
import { silentLogger } from '../../src/logger.js';
import { createS3Client } from '../../src/storage/s3.js';

let dir: string;
let s3server: { run(): Promise<{ port: number }>; close(): Promise<void> };
let s3: S3Client;
let http: Server;
let httpBase: string;
let httpGets = 0;
const bucket = `forcing-${process.pid}-${Date.now().toString(36)}`;

function ctx(cacheName: string, maxMb = 100): FetchContext {
  return { s3, cacheDir: path.join(dir, cacheName), cacheMaxMb: maxMb, logger: silentLogger };
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
  http = createServer((req, res) => {
    const file = path.join(dir, 'src', path.basename(req.url ?? ''));
    let st;
    try {
      st = statSync(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { etag: `"${st.size}-${st.mtimeMs}"`, 'content-length': st.size });
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
    const config: Config = loadConfig({ FORCING_CACHE_DIR: path.join(dir, 'cache-load') });
    const f = await loadForcing(params, toModelParams(params), { config, s3, logger: silentLogger });
    expect(f.sources.wind).toMatchObject({ kind: 'file', description: `s3://${bucket}/wind/wind_lonlat.nc`, fallback: false });
    const u = new Float32Array(1);
    const v = new Float32Array(1);
    const t = T0_SEC + 3 * 3600;
    createVectorSampler(f.wind).sample(Float64Array.of(6), Float64Array.of(60), 0, 1, t, u, v);
    expect(Math.abs(u[0]! - windField(6, 60, t)[0])).toBeLessThan(1e-4); // float32 storage
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
    expect(readFileSync(results[0]!.path).equals(readFileSync(path.join(dir, 'src', 'wind_lonlat.nc')))).toBe(true);
    // No temp files left behind.
    expect(readdirSync(path.join(dir, 'cache-concurrent')).filter((n) => n.includes('.tmp-'))).toEqual([]);
  });

  it('evicts least-recently-used files beyond FORCING_CACHE_MAX_MB', async () => {
    // Each test file is ~0.33 MB; a 1 MB cache holds three, so the fourth evicts the least recently used.
    const c = ctx('cache-lru', 1);
    const names = ['wind_lonlat.nc', 'current_packed_desc.nc', 'wind_0360.nc4', 'current_lonlat.nc4'];
    for (const n of names) await put(`lru/${n}`, path.join(dir, 'src', n));
    const first = await localFileFor(`s3://${bucket}/lru/${names[0]}`, c);
    await new Promise((r) => setTimeout(r, 20));
    const second = await localFileFor(`s3://${bucket}/lru/${names[1]}`, c);
    await new Promise((r) => setTimeout(r, 20));
    await localFileFor(`s3://${bucket}/lru/${names[2]}`, c);
    await new Promise((r) => setTimeout(r, 20));
    // Touch the first: now the second is the least recently used.
    expect((await localFileFor(`s3://${bucket}/lru/${names[0]}`, c)).downloaded).toBe(false);
    await new Promise((r) => setTimeout(r, 20));
    await localFileFor(`s3://${bucket}/lru/${names[3]}`, c);
    const left = readdirSync(path.join(dir, 'cache-lru'));
    expect(left).toContain(path.basename(first.path));
    expect(left).not.toContain(path.basename(second.path));
    const total = left.reduce((a, n) => a + statSync(path.join(dir, 'cache-lru', n)).size, 0);
    expect(total).toBeLessThanOrEqual(1024 * 1024);
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
});
