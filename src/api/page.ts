/**
 * The map page: GET / and its assets, bundled offline by scripts/build-web.mjs into dist/web/ at
 * `npm run build` (Leaflet, the page's code, the 85 Leeway categories, and Natural Earth 1:50m land
 * from world-atlas as GeoJSON). Nothing is fetched from the internet unless BASEMAP_URL names a tile
 * server. Files are read once at start (about 1 MB) and served from memory.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';
import { errorBody } from './errors.js';

const WEB_DIR = new URL('../web/', import.meta.url);

const ASSETS: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/app.css': 'app.css',
  '/land.geojson': 'land.geojson',
};

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  geojson: 'application/geo+json',
};

export function registerPage(app: FastifyInstance, config: Config): void {
  const built = existsSync(new URL('index.html', WEB_DIR));
  const files = new Map<string, { body: Buffer; type: string }>();
  if (built) {
    for (const [route, file] of Object.entries(ASSETS)) {
      files.set(route, { body: readFileSync(new URL(file, WEB_DIR)), type: TYPES[file.split('.').pop() ?? ''] ?? 'application/octet-stream' });
    }
  }
  for (const route of Object.keys(ASSETS)) {
    app.get(route, async (_req, reply) => {
      const f = files.get(route);
      if (!f) return reply.status(404).send(errorBody('E_NOT_FOUND', 'the map page is not built: run `npm run build`'));
      // The page is small and changes only with a new build: revalidate rather than cache for long.
      return reply.header('content-type', f.type).header('cache-control', 'no-cache').send(f.body);
    });
  }
  app.get('/config.json', async () => ({ auth: config.API_AUTH === 'on', basemap_url: config.BASEMAP_URL ?? null }));
}
