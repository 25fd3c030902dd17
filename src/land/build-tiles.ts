/**
 * Child-process entry that tiles one coastline source into its tile file (src/land/tile-cache.ts
 * starts it): `node build-tiles.js '{"source": …, "out": "/path/x.tiles", "key": "…"}'`.
 * Exit 0 when written; otherwise the last stderr line is {"code", "message", "field"}.
 */
import { DriftlineError } from '../errors.js';
import { loadPolygonSource, type CoastlineSource } from './sources.js';
import { buildTileFile, writeFileAtomic } from './tile-file.js';

function main(arg: string | undefined): void {
  const { source, out, key } = JSON.parse(arg ?? '{}') as { source: CoastlineSource; out: string; key: string };
  const t0 = performance.now();
  const set = loadPolygonSource(source);
  const t1 = performance.now();
  const { file, stats } = buildTileFile(set, key);
  writeFileAtomic(out, file);
  const t2 = performance.now();
  process.stdout.write(
    `${JSON.stringify({ out, load_ms: Math.round(t1 - t0), tile_ms: Math.round(t2 - t1), ...stats, file_bytes: file.length })}\n`,
  );
}

try {
  main(process.argv[2]);
} catch (err) {
  const e = err instanceof DriftlineError ? err : new DriftlineError('E_INTERNAL', `coastline tiling failed: ${(err as Error).message}`);
  process.stderr.write(`${(err as Error).stack ?? ''}\n${JSON.stringify({ code: e.code, message: e.message, field: e.field })}\n`);
  process.exitCode = 2;
}
