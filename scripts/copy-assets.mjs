#!/usr/bin/env node
// Runs after `npm run build` (package.json "postbuild"): copies the non-TypeScript files the compiled
// code reads at run time next to it, so dist/ is self-contained (the Docker image ships dist/ and sql/).
//   src/queue/lua/*.lua -> dist/queue/lua/
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';

const ASSETS = [{ from: 'src/queue/lua', to: 'dist/queue/lua', ext: '.lua' }];

const root = new URL('../', import.meta.url);
for (const { from, to, ext } of ASSETS) {
  const src = new URL(`${from}/`, root);
  const dst = new URL(`${to}/`, root);
  mkdirSync(dst, { recursive: true });
  const files = readdirSync(src).filter((f) => f.endsWith(ext));
  for (const f of files) copyFileSync(new URL(f, src), new URL(f, dst));
  console.log(`copied ${files.length} ${ext} files: ${from} -> ${to}`);
}
