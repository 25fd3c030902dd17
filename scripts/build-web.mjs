#!/usr/bin/env node
// Runs after `npm run build` (package.json "postbuild"): bundles the map page offline into dist/web/
//   web/app.ts (+ Leaflet and its CSS, + src/model/objects.ts's 85 categories) -> app.js, app.css
//   web/index.html                                                            -> index.html
//   world-atlas land-50m (Natural Earth 1:50 m land, public domain) as GeoJSON -> land.geojson
// Coordinates of the land are rounded to 0.001° (~100 m, below the 1:50 m source's own accuracy).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { build } from 'esbuild';
import { feature } from 'topojson-client';

const root = new URL('../', import.meta.url);
const out = new URL('dist/web/', root);
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [new URL('web/app.ts', root).pathname],
  bundle: true,
  minify: true,
  sourcemap: true,
  format: 'iife',
  target: ['chrome100', 'firefox100', 'safari15'],
  outfile: new URL('app.js', out).pathname,
  loader: { '.png': 'dataurl', '.svg': 'dataurl' },
  logLevel: 'warning',
});
copyFileSync(new URL('web/index.html', root), new URL('index.html', out));

const require = createRequire(import.meta.url);
const topo = JSON.parse(readFileSync(require.resolve('world-atlas/land-50m.json'), 'utf8'));
const land = feature(topo, topo.objects.land);
const round = (c) => (typeof c[0] === 'number' ? [Math.round(c[0] * 1000) / 1000, Math.round(c[1] * 1000) / 1000] : c.map(round));
for (const f of land.features ?? [land]) f.geometry.coordinates = round(f.geometry.coordinates);
writeFileSync(new URL('land.geojson', out), JSON.stringify(land));
console.log('built the map page: dist/web/{index.html,app.js,app.css,land.geojson}');
