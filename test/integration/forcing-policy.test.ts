/**
 * The forcing source policy against real servers: an s3rver with a forcing bucket, another bucket and
 * the results bucket; an HTTP server on 127.0.0.1 that counts requests, redirects, serves big, lying,
 * dripping and silent responses; real local files and symlinks. Each refusal is E_FORCING_DENIED
 * (permanent), names the job field and the rule, and says nothing about the target: existing and
 * missing files, objects and ports give the same message. The allowed cases still load.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { DriftlineError } from '../../src/errors.js';
import { loadForcingFor } from '../helpers/forcing.js';
import { validateJob } from '../../src/job/validate.js';
import { toModelParams } from '../../src/job/resolve.js';
import { silentLogger } from '../../src/logger.js';
import { runCli } from '../helpers/processes.js';
import { randomName, startS3, type TestS3 } from '../helpers/s3.js';

let dir: string;
let allowed: string;
let s3: TestS3;
let otherBucket: string;
let resultsBucket: string;
let http: Server;
let port: number;
let base: string;
/** Requests the HTTP server received, by path. */
const hits: string[] = [];
const sockets = new Set<Socket>();
const MIB = 1024 * 1024;

const PARAMS = { latitude: 60, longitude: 6, start_time: '2024-01-01T01:00:00Z', duration_hours: 6, num_particles: 10 };
let cacheN = 0;

function config(env: Record<string, string> = {}) {
  return loadConfig({ FORCING_CACHE_DIR: path.join(dir, `cache-${cacheN++}`), S3_BUCKET: resultsBucket, FORCING_BUCKET: s3.bucket, ...env });
}

async function load(wind: unknown, env: Record<string, string> = {}) {
  const params = validateJob({ mission_id: 'm-policy', params: { ...PARAMS, forcing: { wind, current: { constant: [0, 0] } } } }).params;
  return loadForcingFor(params, toModelParams(params), { config: config(env), s3: s3.client, logger: silentLogger });
}

/** The error loading `uri` as wind gives (the test fails if it loads). */
async function refusal(uri: string | string[], env: Record<string, string> = {}): Promise<DriftlineError> {
  const err = await load({ uri }, env).then(
    () => new Error(`${String(uri)} was loaded`),
    (e: unknown) => e,
  );
  if (!(err instanceof DriftlineError)) throw err;
  return err;
}

/** Every refusal: permanent E_FORCING_DENIED naming the field; no path, address, port or file bytes. */
function expectDenied(err: DriftlineError, field = 'params.forcing.wind.uri'): string {
  expect(err).toMatchObject({ code: 'E_FORCING_DENIED', retryable: false, field });
  expect(err.message.startsWith(`${field}: refused by the forcing source policy: `)).toBe(true);
  for (const leak of ['/etc', '/proc', 'root', 'SHELL', 'ENOENT', 'EACCES', 'exist', String(port), '127.0.0.1', dir]) expect(err.message).not.toContain(leak);
  return err.message;
}

function serve(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://x');
  hits.push(url.pathname);
  const [, mode, name] = url.pathname.split('/');
  if (mode === 'ok') {
    const file = path.join(dir, 'src', name ?? '');
    const st = statSync(file);
    res.writeHead(200, { etag: `"${st.size}-${st.mtimeMs}"`, 'content-length': st.size });
    return void res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  }
  if (mode === 'redirect') return void res.writeHead(302, { location: url.searchParams.get('to') ?? '/' }).end();
  if (mode === 'loop') return void res.writeHead(302, { location: `/loop/${Number(name ?? 0) + 1}` }).end();
  if (mode === 'big') {
    // Declares 2 MiB up front.
    res.writeHead(200, { 'content-length': 2 * MIB });
    return void res.end(req.method === 'HEAD' ? undefined : Buffer.alloc(2 * MIB));
  }
  if (mode === 'liar') {
    // HEAD claims 1000 bytes; GET sends 2 MiB chunked, with no Content-Length to check.
    if (req.method === 'HEAD') return void res.writeHead(200, { 'content-length': 1000, etag: '"liar"' }).end();
    res.writeHead(200, { etag: '"liar"' });
    let sent = 0;
    const more = () => {
      while (sent < 2 * MIB) {
        sent += 64 * 1024;
        if (!res.write(Buffer.alloc(64 * 1024))) return void res.once('drain', more);
      }
      res.end();
    };
    return more();
  }
  if (mode === 'drip') {
    // One byte a second: never idle long enough for an idle timeout, never done.
    if (req.method === 'HEAD') return void res.writeHead(200, { 'content-length': 100, etag: '"drip"' }).end();
    res.writeHead(200, { 'content-length': 100 });
    const timer = setInterval(() => res.write('x'), 1000);
    res.on('close', () => clearInterval(timer));
    return;
  }
  if (mode === 'silent') return; // never answers (HEAD included)
  if (mode === 'text') {
    const body = 'root:x:0:0:root:/root:/bin/bash\n';
    res.writeHead(200, { 'content-length': Buffer.byteLength(body), etag: '"text"' });
    return void res.end(req.method === 'HEAD' ? undefined : body);
  }
  res.writeHead(404).end();
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-policy-'));
  const r = spawnSync(process.execPath, ['scripts/make-forcing', '--out', path.join(dir, 'src')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`make-forcing failed: ${r.stderr}`);
  allowed = path.join(dir, 'allowed');
  mkdirSync(path.join(allowed, 'subdir'), { recursive: true });
  copyFileSync(path.join(dir, 'src', 'wind_lonlat.nc'), path.join(allowed, 'wind.nc'));
  symlinkSync('/etc/passwd', path.join(allowed, 'to-passwd.nc'));
  symlinkSync('/nonexistent/forcing.nc', path.join(allowed, 'to-missing.nc'));
  // A valid NetCDF outside the allowed directory, reached through a symlink inside it.
  symlinkSync(path.join(dir, 'src', 'wind_lonlat.nc'), path.join(allowed, 'to-outside.nc'));

  s3 = await startS3({ createBucket: true });
  otherBucket = randomName('other').toLowerCase();
  resultsBucket = randomName('results').toLowerCase();
  const wind = readFileSync(path.join(dir, 'src', 'wind_lonlat.nc'));
  await s3.client.send(new CreateBucketCommand({ Bucket: otherBucket }));
  await s3.client.send(new CreateBucketCommand({ Bucket: resultsBucket }));
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'wind/wind.nc', Body: wind }));
  await s3.client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: 'big/two-mib.nc', Body: Buffer.alloc(2 * MIB) }));
  await s3.client.send(new PutObjectCommand({ Bucket: otherBucket, Key: 'wind.nc', Body: wind }));
  await s3.client.send(new PutObjectCommand({ Bucket: resultsBucket, Key: 'm1/raw/particles.nc', Body: wind }));

  http = createServer(serve);
  http.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const addr = http.address();
  port = typeof addr === 'object' && addr ? addr.port : 0;
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => http?.close(resolve));
  await s3?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('local files', () => {
  it('a queued job without FORCING_ALLOW_LOCAL reads no local file; present and missing ones look the same', async () => {
    const uris = ['/etc/passwd', '/etc/shadow', '/proc/self/environ', '/nonexistent/x.nc', 'file:///etc/passwd', `file://${dir}/src/wind_lonlat.nc`, path.join(dir, 'src', 'wind_lonlat.nc'), 'wind.nc'];
    const messages = new Set<string>();
    for (const uri of uris) messages.add(expectDenied(await refusal(uri)));
    expect([...messages]).toEqual(['params.forcing.wind.uri: refused by the forcing source policy: local paths and file:// are not allowed for queued jobs (FORCING_ALLOW_LOCAL is unset)']);
    // Stokes drift forcing goes through the same check, before any other file is opened.
    const params = validateJob({ mission_id: 'm-stokes', params: { ...PARAMS, stokes_drift: true, forcing: { wind: { constant: [5, 0] }, current: { constant: [0, 0] }, stokes: { uri: '/etc/passwd' } } } }).params;
    const err = await loadForcingFor(params, toModelParams(params), { config: config(), s3: s3.client, logger: silentLogger }).catch((e: unknown) => e as DriftlineError);
    expectDenied(err as DriftlineError, 'params.forcing.stokes.uri');
  });

  it('with FORCING_ALLOW_LOCAL only regular files really inside it load; escapes, symlinks out and missing files get one message', async () => {
    const env = { FORCING_ALLOW_LOCAL: allowed };
    for (const uri of [path.join(allowed, 'wind.nc'), `file://${allowed}/wind.nc`]) {
      const f = await load({ uri }, env);
      expect(f.wind.kind).toBe('grid');
    }
    const refused = [
      '/etc/shadow',
      '/proc/self/environ',
      '/nonexistent/x.nc',
      path.join(allowed, '..', 'src', 'wind_lonlat.nc'), // a valid NetCDF, `..` out of the directory
      `${allowed}-sibling/wind.nc`, // a string prefix of the directory, not inside it
      path.join(allowed, 'to-passwd.nc'),
      path.join(allowed, 'to-missing.nc'),
      path.join(allowed, 'to-outside.nc'),
      path.join(allowed, 'missing.nc'),
      path.join(allowed, 'subdir'),
      `file://${allowed}/to-passwd.nc`,
      `${allowed}/subdir/../wind.nc`, // '..' is refused even where it would stay inside
      `file://${allowed}/%2e%2e/src/wind_lonlat.nc`,
      `file://${allowed}/subdir%2f..%2fwind.nc`,
    ];
    const messages = new Set<string>();
    for (const uri of refused) messages.add(expectDenied(await refusal(uri, env)));
    expect(messages.size).toBe(1);
    expect([...messages][0]).toMatch(/FORCING_ALLOW_LOCAL/);
    // In a list, the refused entry is named by its index (and the first file is not opened first).
    expectDenied(await refusal([path.join(allowed, 'wind.nc'), '/etc/shadow'], env), 'params.forcing.wind.uri[1]');
  });
});

describe("the operator's own forcing", () => {
  it('a local FORCING_WIND_URI is read without FORCING_ALLOW_LOCAL; a job may name that file, not its neighbours', async () => {
    const opsWind = path.join(dir, 'src', 'wind_lonlat.nc');
    const env = { FORCING_WIND_URI: opsWind };
    const params = validateJob({ mission_id: 'm-ops', params: { ...PARAMS, forcing: { current: { constant: [0, 0] } } } }).params;
    const f = await loadForcingFor(params, toModelParams(params), { config: config(env), s3: s3.client, logger: silentLogger });
    expect(f.sources.wind).toMatchObject({ kind: 'file', description: opsWind });
    expect((await load({ uri: opsWind }, env)).wind.kind).toBe('grid');
    expectDenied(await refusal(path.join(dir, 'src', 'current_lonlat.nc4'), env));
  });
});

describe('S3', () => {
  it('reads the forcing bucket; another bucket and the results bucket are refused whether or not the object exists', async () => {
    const f = await load({ uri: `s3://${s3.bucket}/wind/wind.nc` });
    expect(f.wind.kind).toBe('grid');
    const messages = new Set<string>();
    for (const uri of [`s3://${otherBucket}/wind.nc`, `s3://${otherBucket}/absent.nc`, `s3://${resultsBucket}/m1/raw/particles.nc`, `s3://${resultsBucket}/absent.nc`]) {
      messages.add(expectDenied(await refusal(uri)));
    }
    expect(messages.size).toBe(1);
    // Listing the results bucket explicitly is the operator's way in.
    const g = await load({ uri: `s3://${resultsBucket}/m1/raw/particles.nc` }, { FORCING_ALLOW: `s3://${resultsBucket}/m1/` });
    expect(g.wind.kind).toBe('grid');
  });

  it('an object larger than FORCING_MAX_MB is refused from its declared size (permanent)', async () => {
    await expect(load({ uri: `s3://${s3.bucket}/big/two-mib.nc` }, { FORCING_MAX_MB: '1' })).rejects.toMatchObject({ code: 'E_FORCING_LIMIT', retryable: false });
  });
});

describe('http(s)', () => {
  it('loopback, localhost by name, IPv4-mapped loopback, private and link-local addresses are refused even when FORCING_ALLOW lists them, without a request', async () => {
    // 2130706433 is 127.0.0.1 written as one decimal number (the URL parser's normal form is the dotted one).
    const hosts = [`127.0.0.1:${port}`, `2130706433:${port}`, `localhost:${port}`, `[::ffff:127.0.0.1]:${port}`, `[::1]:${port}`, '10.0.0.1', '169.254.169.254', '192.168.0.1:8080', '100.64.0.1'];
    const env = { FORCING_ALLOW: hosts.map((h) => `http://${h}/`).join(',') };
    const before = hits.length;
    const messages = new Set<string>();
    for (const h of hosts) messages.add(expectDenied(await refusal(`http://${h}/ok/wind_lonlat.nc`, env)));
    expect([...messages]).toEqual([expect.stringMatching(/non-public address \(FORCING_ALLOW_PRIVATE_NETWORKS=false\)$/)]);
    expect(hits.length).toBe(before);
  });

  it('a host not in FORCING_ALLOW, and plain http where the entry says https, are refused', async () => {
    expectDenied(await refusal(`${base}/ok/wind_lonlat.nc`));
    const err = await refusal(`${base}/ok/wind_lonlat.nc`, { FORCING_ALLOW: `https://127.0.0.1:${port}/`, FORCING_ALLOW_PRIVATE_NETWORKS: 'true' });
    expect(expectDenied(err)).toMatch(/plain http/);
  });

  it('FORCING_ALLOW_PRIVATE_NETWORKS=true lets an allowed internal server serve forcing', async () => {
    const f = await load({ uri: `${base}/ok/wind_lonlat.nc` }, { FORCING_ALLOW: `${base}/ok/`, FORCING_ALLOW_PRIVATE_NETWORKS: 'true' });
    expect(f.wind.kind).toBe('grid');
  });

  it('a downloaded file that is not NetCDF is E_FORCING_INVALID without a byte of it in the message', async () => {
    const err = await refusal(`${base}/text/f.nc`, { FORCING_ALLOW: `${base}/`, FORCING_ALLOW_PRIVATE_NETWORKS: 'true' });
    expect(err).toMatchObject({ code: 'E_FORCING_INVALID', retryable: false });
    // 'root' in text and as the hex the old message printed.
    for (const leak of ['root', '726f6f74', 'bash']) expect(err.message).not.toContain(leak);
  });

  it('every redirect is checked against the whole policy; at most 5 are followed', async () => {
    const env = { FORCING_ALLOW: `${base}/`, FORCING_ALLOW_PRIVATE_NETWORKS: 'true' };
    const via = (to: string) => `${base}/redirect/x?to=${encodeURIComponent(to)}`;
    // Allowed host -> loopback under another name, another port, a file, the metadata address.
    for (const to of [`http://localhost:${port}/ok/wind_lonlat.nc`, 'http://127.0.0.1:1/ok/wind_lonlat.nc', 'file:///etc/passwd', 'http://169.254.169.254/latest/meta-data/', `http://u:p@127.0.0.1:${port}/ok/wind_lonlat.nc`]) {
      const before = hits.length;
      const msg = expectDenied(await refusal(via(to), env));
      expect(msg).toMatch(/: redirect 1: /);
      expect(hits.length - before).toBe(1); // the redirect itself, nothing after it
    }
    const f = await load({ uri: via(`/ok/wind_lonlat.nc`) }, env);
    expect(f.wind.kind).toBe('grid');
    const before = hits.length;
    expect(expectDenied(await refusal(`${base}/loop/0`, env))).toMatch(/more than 5 redirects/);
    expect(hits.length - before).toBe(6);
  });

  it('a download larger than FORCING_MAX_MB is refused from Content-Length, and cut while streaming when HEAD lied and GET is chunked', async () => {
    const env = { FORCING_ALLOW: `${base}/`, FORCING_ALLOW_PRIVATE_NETWORKS: 'true', FORCING_MAX_MB: '1' };
    for (const uri of [`${base}/big/f.nc`, `${base}/liar/f.nc`]) {
      const cfg = config(env);
      const params = validateJob({ mission_id: 'm-big', params: { ...PARAMS, forcing: { wind: { uri } } } }).params;
      await expect(loadForcingFor(params, toModelParams(params), { config: cfg, s3: null, logger: silentLogger })).rejects.toMatchObject({ code: 'E_FORCING_LIMIT', retryable: false, message: expect.stringContaining('FORCING_MAX_MB (1 MiB)') });
      // Nothing of it stays in the cache, not even a temp file (refused from HEAD: not even the directory).
      const left = existsSync(cfg.FORCING_CACHE_DIR) ? readdirSync(cfg.FORCING_CACHE_DIR) : [];
      expect(left).toEqual([]);
    }
  });

  it('FORCING_FETCH_TIMEOUT_SECONDS bounds a body dripping one byte a second and a HEAD that never answers', async () => {
    const env = { FORCING_ALLOW: `${base}/`, FORCING_ALLOW_PRIVATE_NETWORKS: 'true', FORCING_FETCH_TIMEOUT_SECONDS: '2' };
    for (const uri of [`${base}/drip/f.nc`, `${base}/silent/f.nc`]) {
      const t0 = performance.now();
      await expect(load({ uri }, env)).rejects.toMatchObject({ code: 'E_FORCING_LIMIT', retryable: false, message: expect.stringContaining('FORCING_FETCH_TIMEOUT_SECONDS (2 s)') });
      // Cap 2 s; 8 s leaves room for a loaded 2-core machine, far below an unbounded fetch (100 s of drip).
      expect(performance.now() - t0).toBeLessThan(8000);
    }
  });
});

describe('driftline run', () => {
  it('reads a local forcing file anywhere (the user machine), without FORCING_ALLOW_LOCAL', { timeout: 120_000 }, async () => {
    const jobFile = path.join(dir, 'job.json');
    const wind = path.join(dir, 'src', 'wind_lonlat.nc');
    const job = { mission_id: 'local-forcing', params: { ...PARAMS, object_type: 'PIW-1', forcing: { wind: { uri: wind }, current: { constant: [0, 0] } }, products: { animation: false } } };
    writeFileSync(jobFile, JSON.stringify(job));
    const r = await runCli(['run', jobFile, '--out', path.join(dir, 'run-out'), '--json'], { S3_ENDPOINT: 'http://127.0.0.1:1', SIM_THREADS: '1' }, { timeoutMs: 110_000 });
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { forcing: { wind: { kind: string; description: string } } };
    expect(summary.forcing.wind).toMatchObject({ kind: 'file', description: wind });
  });
});
