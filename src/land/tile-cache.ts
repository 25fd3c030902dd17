/**
 * Where each coastline source's tile file lives, and building it when it is missing.
 *
 * A tile file is built once per source and machine (scripts/build-land-tiles.mjs runs it after
 * `npm run build`; otherwise the first process that needs it), in a child process: the build parses
 * the polygons (the OSM default: 37 MB of GeoJSON, ~175 MB of heap) and rasterises the globe
 * (~20 s of CPU), and none of that memory should stay in a worker. Files are keyed by their source:
 * the built-in data by package version and size, a COASTLINE_FILE by the SHA-256 of its bytes, so an
 * edited file is tiled again and never read stale. Concurrent builders write to temporary names and
 * rename: the last one wins with identical content.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DriftlineError, type ErrorCode } from '../errors.js';
import type { CoastlineSource } from './sources.js';
import { TileFile } from './tile-file.js';

const require = createRequire(import.meta.url);

/** Bumped when the tiling changes (lattice, fill rule, format) so old files are rebuilt. */
const TILING_VERSION = 'tiles-1';

/** Default cache directory: <package>/.cache/land (git-ignored); LAND_CACHE_DIR overrides it. */
export const DEFAULT_LAND_CACHE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.cache/land');

const BUILT_IN_FILES: Record<'osm-seas-10m' | 'natural-earth-10m', string> = {
  'osm-seas-10m': '@geo-maps/earth-seas-10m/map.geo.json',
  'natural-earth-10m': 'world-atlas/land-10m.json',
};

async function sha256File(file: string, field: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  } catch (err) {
    throw new DriftlineError('E_CONFIG', `${field}: cannot read coastline file ${file}: ${(err as Error).message}`, { field, cause: err });
  }
  return hash.digest('hex');
}

/** The tile file's path and key for a source (reads a user file once to hash it). */
export async function tileFileFor(source: CoastlineSource, cacheDir: string = DEFAULT_LAND_CACHE_DIR): Promise<{ path: string; key: string }> {
  let label: string;
  let identity: string;
  if (typeof source === 'string') {
    const dataFile = require.resolve(BUILT_IN_FILES[source]);
    const pkgDir = path.dirname(dataFile);
    const version = (JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
    label = source;
    identity = `${source}@${version}:${statSync(dataFile).size}`;
  } else {
    label = `file-${path.basename(source.file).replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40)}`;
    identity = `file:${await sha256File(source.file, source.field ?? 'COASTLINE_FILE')}:${source.insideIs ?? 'land'}`;
  }
  const key = createHash('sha256').update(`${TILING_VERSION}\n${identity}`).digest('hex').slice(0, 32);
  return { path: path.join(cacheDir, `${label}-${key.slice(0, 12)}.tiles`), key };
}

/** The builder's entry point: compiled (dist) or, from TypeScript source (vitest, tsx), through tsx. */
function builderCommand(): string[] {
  const fromSource = import.meta.url.endsWith('.ts');
  const file = fileURLToPath(new URL(fromSource ? './build-tiles.ts' : './build-tiles.js', import.meta.url));
  return fromSource ? ['--import', 'tsx', file] : [file];
}

/** Builds the tile file of `source` at `out` in a child process; its errors come back as DriftlineErrors. */
export function buildTilesInChild(source: CoastlineSource, out: string, key: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [...builderCommand(), JSON.stringify({ source, out, key })],
      { maxBuffer: 1 << 20, env: process.env },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        // The builder's last stderr line is {"code", "message", "field"} for a DriftlineError.
        const last = stderr.trim().split('\n').pop() ?? '';
        try {
          const e = JSON.parse(last) as { code: ErrorCode; message: string; field?: string };
          return reject(new DriftlineError(e.code, e.message, e.field ? { field: e.field } : {}));
        } catch {
          return reject(new DriftlineError('E_INTERNAL', `building the coastline tiles failed: ${err.message} ${stderr.slice(-500)}`, { cause: err }));
        }
      },
    );
  });
}

const open = new Map<string, Promise<TileFile>>();

/**
 * The open tile file of a source, built first if it is missing (once per process and source).
 * With the default source and an existing file: one stat, one package.json read and a 64-byte header read.
 */
export function landTiles(source: CoastlineSource, cacheDir: string = DEFAULT_LAND_CACHE_DIR): Promise<TileFile> {
  const memo = `${cacheDir}\n${JSON.stringify(source)}`;
  let p = open.get(memo);
  if (!p) {
    p = (async () => {
      const { path: file, key } = await tileFileFor(source, cacheDir);
      const existing = TileFile.open(file, key);
      if (existing) return existing;
      try {
        mkdirSync(cacheDir, { recursive: true });
      } catch (err) {
        throw new DriftlineError('E_CONFIG', `LAND_CACHE_DIR: cannot create ${cacheDir}: ${(err as Error).message}`, { field: 'LAND_CACHE_DIR', cause: err });
      }
      await buildTilesInChild(source, file, key);
      const built = TileFile.open(file, key);
      if (!built) throw new DriftlineError('E_INTERNAL', `coastline tiles ${file} were built but cannot be read back`);
      return built;
    })();
    open.set(memo, p);
    p.catch(() => open.delete(memo)); // a failed build is tried again next time
  }
  return p;
}

/** Closes every open tile file (tests; a worker keeps its one file open). */
export async function closeLandTiles(): Promise<void> {
  const all = [...open.values()];
  open.clear();
  for (const p of all) {
    try {
      (await p).close();
    } catch {
      // a failed open has nothing to close
    }
  }
}
