/**
 * driftline as a library (issue 12, item 7): the package's `exports` resolve 'driftline' to
 * dist/index.js with declarations, the example under examples/library runs a real mission through
 * it, its imports type-check against the emitted .d.ts, and importing the library loads none of the
 * fleet's heavy modules (AWS SDK, pg, ioredis, canvas). Needs `npm run build` (npm test does it).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const NO_SERVICES = { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', DATABASE_URL: 'postgresql://postgres@127.0.0.1:1/none', S3_ENDPOINT: 'http://127.0.0.1:1' };

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-lib-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the library surface', () => {
  it('package.json points main, types and exports at files the build emits', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      main: string;
      types: string;
      exports: Record<string, { types: string; import: string }>;
    };
    const dot = pkg.exports['.'];
    expect(dot).toBeDefined();
    for (const f of [pkg.main, pkg.types, dot?.types ?? '', dot?.import ?? '']) expect(existsSync(path.join(ROOT, f)), f).toBe(true);
  });

  it('the example runs a mission through the library and reads its trajectories back', async () => {
    const out = path.join(dir, 'example');
    const { stdout } = await run(process.execPath, ['examples/library/run-mission.mjs', out], { cwd: ROOT, env: NO_SERVICES, timeout: 120_000 });
    // Which products a mission writes grows with the features; these are the ones every mission has.
    const listed = /^\d+ products in [^:]+: (.*)$/m.exec(stdout)?.[1]?.split(', ') ?? [];
    expect(listed).toEqual(expect.arrayContaining(['raw/particles.nc', 'products/density.nc', 'products/search_areas.geojson', 'products/summary.json']));
    // 500 particles × 7 outputs (6 h hourly plus the start), as the job asks.
    expect(stdout).toMatch(/particles\.nc: 500 particles × 7 times; mean longitude at the end 4\.\d{4}°/);
    // Exponential law: POD = 1 − e^(−0.4) = 0.3297.
    expect(stdout).toContain('coverage 0.40 -> POD 33.0 %');
    expect(existsSync(path.join(out, 'products', 'summary.json'))).toBe(true);
  }, 130_000);

  it("the example's imports type-check against the emitted declarations", async () => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const args = ['--noEmit', '--allowJs', '--checkJs', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck', 'examples/library/run-mission.mjs'];
    const result = await run(process.execPath, [tsc, ...args], { cwd: ROOT, timeout: 120_000 }).then(
      () => ({ code: 0, out: '' }),
      (e: { code?: number; stdout?: string }) => ({ code: e.code ?? -1, out: e.stdout ?? '' }),
    );
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  }, 130_000);

  it('importing the library loads no AWS SDK, pg, ioredis or canvas', async () => {
    // A module hook records every URL resolved while `import('driftline')` runs.
    const log = path.join(dir, 'resolved.txt');
    const hooks = path.join(dir, 'hooks.mjs');
    writeFileSync(
      hooks,
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n');
  return r;
}`,
    );
    const register = path.join(dir, 'register.mjs');
    writeFileSync(register, `import { register } from 'node:module'; register(${JSON.stringify('file://' + hooks)});`);
    await run(process.execPath, ['--import', register, '--input-type=module', '-e', "const m = await import('driftline'); if (typeof m.runLocalMission !== 'function') process.exit(3);"], {
      cwd: ROOT,
      env: NO_SERVICES,
      timeout: 60_000,
    });
    const urls = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(urls.some((u) => u.endsWith('/dist/index.js'))).toBe(true);
    const heavy = urls.filter((u) => /node_modules\/(@aws-sdk|pg|ioredis|@napi-rs)\//.test(u));
    expect(heavy).toEqual([]);
  }, 70_000);
});
