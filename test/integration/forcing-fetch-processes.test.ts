/**
 * Forcing over real https (a self-signed certificate trusted through NODE_EXTRA_CA_CERTS), and two worker
 * processes sharing one FORCING_CACHE_DIR fetching the same object at the same moment.
 * Each "worker" is a child node process running src/storage/fetch.ts through tsx.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

let dir: string;
let server: Server;
let base: string;
let gets = 0;
/**
 * GETs of this file are held until two have arrived (or 15 s passed), so the two processes really
 * download at the same time however late one of them starts on a loaded machine.
 */
const barrier = { file: 'current_polar_eddy.nc', held: [] as Array<() => void> };
const FETCH_TS = path.resolve('src/storage/fetch.ts');
const CONFIG_TS = path.resolve('src/config.ts');
const POLICY_TS = path.resolve('src/storage/policy.ts');

/** A child process that fetches `uri` into `cacheDir` and prints {path, downloaded, size} as JSON. */
function fetchInChild(uri: string, cacheDir: string): Promise<{ path: string; downloaded: boolean; size: number }> {
  const code = `
    const { localFileFor } = await import(${JSON.stringify(FETCH_TS)});
    const { loadConfig } = await import(${JSON.stringify(CONFIG_TS)});
    const { forcingPolicyFromConfig } = await import(${JSON.stringify(POLICY_TS)});
    // The test server is on loopback: allowed explicitly, private networks opted in.
    const policy = forcingPolicyFromConfig(loadConfig({ FORCING_ALLOW: ${JSON.stringify(`${base}/`)}, FORCING_ALLOW_PRIVATE_NETWORKS: 'true' }));
    const { statSync } = await import('node:fs');
    const logger = { info() {}, debug() {}, warn() {} };
    const f = await localFileFor(${JSON.stringify(uri)}, { policy, s3: null, cacheDir: ${JSON.stringify(cacheDir)}, cacheMaxMb: 100, logger });
    console.log(JSON.stringify({ path: f.path, downloaded: f.downloaded, size: statSync(f.path).size }));
    await f.release();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir, 'cert.pem') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (status) => (status === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`child exited ${status}: ${err}`))));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'forcing-https-'));
  const cert = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'],
    { encoding: 'utf8' },
  );
  if (cert.status !== 0) throw new Error(cert.stderr);
  const r = spawnSync(process.execPath, ['scripts/make-forcing', '--out', path.join(dir, 'src')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  // Serves files slowly (64 kB every 50 ms: 0.8 s for the 1 MB eddy file); the barrier above makes the
  // two concurrent downloads start together.
  server = createServer({ key: readFileSync(path.join(dir, 'key.pem')), cert: readFileSync(path.join(dir, 'cert.pem')) }, (req, res) => {
    const file = path.join(dir, 'src', path.basename(new URL(req.url ?? '/', 'https://x').pathname));
    if (!existsSync(file)) return void res.writeHead(404).end();
    const st = statSync(file);
    res.writeHead(200, { etag: `"${st.size}-${st.mtimeMs}"`, 'content-length': st.size });
    if (req.method === 'HEAD') return void res.end();
    gets++;
    const data = readFileSync(file);
    let at = 0;
    const tick = () => {
      res.write(data.subarray(at, at + 65536));
      at += 65536;
      // The slowness is the point (a fake slow server), not a wait for something to happen.
      if (at < data.length) setTimeout(tick, 50);
      else res.end();
    };
    if (path.basename(file) !== barrier.file) return tick();
    barrier.held.push(tick);
    const release = () => barrier.held.splice(0).forEach((start) => start());
    if (barrier.held.length >= 2) release();
    // A deadline, not a wait: should the second download never come, the first is not held for ever.
    else setTimeout(release, 15_000);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  base = `https://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

it('fetches over https (TLS verified against the trusted certificate) and caches by ETag', async () => {
  const cacheDir = path.join(dir, 'cache-https');
  const before = gets;
  const a = await fetchInChild(`${base}/wind_0360.nc4`, cacheDir);
  const b = await fetchInChild(`${base}/wind_0360.nc4`, cacheDir);
  expect([a.downloaded, b.downloaded]).toEqual([true, false]);
  expect(gets - before).toBe(1);
  expect(readFileSync(a.path).equals(readFileSync(path.join(dir, 'src', 'wind_0360.nc4')))).toBe(true);
});

it('two worker processes fetching the same object at once both get the whole file, and one copy stays', async () => {
  const cacheDir = path.join(dir, 'cache-shared');
  const [a, b] = await Promise.all([fetchInChild(`${base}/current_polar_eddy.nc`, cacheDir), fetchInChild(`${base}/current_polar_eddy.nc`, cacheDir)]);
  const size = statSync(path.join(dir, 'src', 'current_polar_eddy.nc')).size;
  // Both really downloaded at the same time (neither found the other's finished file).
  expect([a.downloaded, b.downloaded]).toEqual([true, true]);
  // Each process saw a complete file at the shared path (temp file + atomic rename, whichever won).
  expect([a.size, b.size]).toEqual([size, size]);
  expect(a.path).toBe(b.path);
  expect(readFileSync(a.path).equals(readFileSync(path.join(dir, 'src', 'current_polar_eddy.nc')))).toBe(true);
  expect(readdirSync(cacheDir)).toEqual([path.basename(a.path)]); // no temp files left
});
