#!/usr/bin/env node
// Runs after `npm run build` (package.json "postbuild"): each re-export module of src/vendor/ becomes a
// single-file ES module bundle in dist/vendor/ (replacing tsc's one-line re-export), so Node loads one
// file instead of the package's many (src/vendor/zod.ts says what it buys). Each bundle's exports are
// checked against the package's own before it is written.
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('../', import.meta.url);
const vendorSrc = new URL('src/vendor/', root);
const vendorDist = new URL('dist/vendor/', root);

/** Names and member names of a module namespace, to compare a bundle with its package. */
const shape = (ns) => Object.keys(ns).sort().map((k) => `${k}:${Object.keys(ns[k] ?? {}).sort().join(',')}`).join(';');

for (const file of readdirSync(vendorSrc).filter((f) => f.endsWith('.ts'))) {
  const out = await build({
    entryPoints: [new URL(file, vendorSrc).pathname],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    write: false,
    logLevel: 'warning',
    // A CommonJS package (pino) calls require() for Node's built-ins, which an ES module has not got.
    banner: { js: "import { createRequire as __vendorRequire } from 'node:module';\nconst require = __vendorRequire(import.meta.url);" },
  });
  const code = `// A bundle made by scripts/bundle-vendor.mjs from src/vendor/${file}.\n${out.outputFiles[0].text}`;
  const name = file.replace(/\.ts$/, '');
  const target = new URL(`${name}.js`, vendorDist);
  const check = new URL(`${name}.bundle-check.mjs`, vendorDist);
  writeFileSync(check, code);
  try {
    // src/vendor/<name>.ts re-exports from package <name>: each export must have the package's members.
    const [bundled, pkg] = [await import(check.href), await import(name)];
    const expected = shape(Object.fromEntries(Object.keys(bundled).map((k) => [k, pkg[k]])));
    if (shape(bundled) !== expected) throw new Error(`dist/vendor/${name}.js: the bundle's exports differ from package '${name}'`);
  } finally {
    rmSync(check);
  }
  writeFileSync(target, code);
  // tsc's source map described the one-line re-export, not the bundle.
  rmSync(new URL(`${name}.js.map`, vendorDist), { force: true });
  console.log(`bundled src/vendor/${file} into dist/vendor/${name}.js (${Math.round(code.length / 1024)} KiB)`);
}
