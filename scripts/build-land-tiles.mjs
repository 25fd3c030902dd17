// Builds the built-in coastline's tile file (src/land/tile-cache.ts) after `npm run build`, so no
// process pays for it at its first mission. Nothing to do when the file exists for this data version.
// The file (6.5 MB for the OSM default) lives in LAND_CACHE_DIR, default <package>/.cache/land, and is
// never committed. Building takes ~20 s of CPU once per machine (up to a minute on a busy 2-core one).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheFile = path.join(root, 'dist', 'land', 'tile-cache.js');
if (!existsSync(cacheFile)) {
  console.error('dist/land/tile-cache.js is missing: run `npm run build`');
  process.exit(1);
}
const { landTiles } = await import(pathToFileURL(cacheFile).href);
const t0 = performance.now();
const file = await landTiles('osm-seas-10m', process.env.LAND_CACHE_DIR || undefined);
const shown = file.path.startsWith(root + path.sep) ? path.relative(root, file.path) : file.path;
console.log(`coastline tiles: ${shown} (${file.coastalCount} coastal tiles), ready in ${Math.round(performance.now() - t0)} ms`);
file.close();
