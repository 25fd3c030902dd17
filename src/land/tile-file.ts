/**
 * The tiled coastline on disk: one file per polygon source, read a tile at a time.
 *
 * Layout (little-endian):
 *   0   8 bytes  magic "DLLAND01"
 *   8   u32      header bytes (64)
 *   12  u32      cells per degree (480)
 *   16  u32      tile side in degrees (1)
 *   20  u32      tiles around (360), 24 u32 tiles up (180)
 *   28  u32      number of coastal tiles
 *   32  32 bytes source key (ASCII, space padded): which polygons, which version, see src/land/tile-cache.ts
 *   64  table    per tile (row ty from the south, then tx from -180°): u32 offset, u32 length;
 *                length 0: offset 0 = all water, 1 = all land; else the tile's bits, deflated (raw)
 *   …   payload  coastal tiles back to back
 *
 * The OSM default is 6 797 coastal tiles in 5.7 MB (of 196 MB of raw bits): 0.9 kB a tile on
 * average, so a tile costs one pread and one inflate. The table (518 kB) is read a 1° row at a time.
 *
 * `a[i] ?? NaN` (noUncheckedIndexedAccess): the indices are in range by their loop bounds; NaN is what
 * a read past the end (undefined) gave in this arithmetic, so every figure is unchanged.
 */
import { closeSync, fstatSync, openSync, readSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { BAND_DEG, type PolygonSet } from './polygons.js';
import {
  CELLS_PER_DEG,
  STRIP_CELLS,
  TILE_BYTES,
  TILE_DEG,
  TILE_LAND,
  TILE_WATER,
  TILES_X,
  TILES_Y,
  tileStrip,
  type TileKind,
} from './tiles.js';

const MAGIC = 'DLLAND01';
const HEADER_BYTES = 64;
const KEY_BYTES = 32;
const TABLE_BYTES = TILES_X * TILES_Y * 8;
/** Decoded coastal tiles kept per process: 256 × 28.8 kB = 7.4 MB. A 48 h window on the Norwegian
 * coast has 197 coastal tiles: with 64 kept, every such mission re-read and inflated all of them
 * (150–600 ms on the shared machine); with 256 a repeat costs only the copy. */
const LRU_TILES = 256;

export interface TileBuildStats {
  coastal: number;
  land: number;
  water: number;
  payloadBytes: number;
}

/**
 * Tiles a polygon set over the globe into the file format above. Strips whose latitude band no
 * polygon edge crosses are uniform (no crossing in any row: all "outside the polygons") and are not
 * rasterised, so a regional user file tiles in proportion to its extent.
 */
export function buildTileFile(set: PolygonSet, key: string): { file: Buffer; stats: TileBuildStats } {
  const table = Buffer.alloc(TABLE_BYTES);
  const chunks: Buffer[] = [];
  let offset = HEADER_BYTES + TABLE_BYTES;
  const stats: TileBuildStats = { coastal: 0, land: 0, water: 0, payloadBytes: 0 };
  let strip: Uint8Array | null = null;
  const outsideIsLand = !set.insideIsLand;
  for (let ty = 0; ty < TILES_Y; ty++) {
    const put = (tx: number, kind: TileKind, bits: Uint8Array | null): void => {
      const t = (ty * TILES_X + tx) * 8;
      if (kind === 'coastal' && bits) {
        const z = deflateRawSync(bits);
        table.writeUInt32LE(offset, t);
        table.writeUInt32LE(z.length, t + 4);
        chunks.push(z);
        offset += z.length;
        stats.coastal++;
        stats.payloadBytes += z.length;
      } else {
        table.writeUInt32LE(kind === TILE_LAND ? 1 : 0, t);
        if (kind === TILE_LAND) stats.land++;
        else stats.water++;
      }
    };
    if (!stripHasEdges(set, ty)) {
      for (let tx = 0; tx < TILES_X; tx++) put(tx, outsideIsLand ? TILE_LAND : TILE_WATER, null);
      continue;
    }
    strip ??= new Uint8Array(STRIP_CELLS);
    tileStrip(set, ty, strip, put);
  }
  const header = Buffer.alloc(HEADER_BYTES);
  header.write(MAGIC, 0, 'ascii');
  header.writeUInt32LE(HEADER_BYTES, 8);
  header.writeUInt32LE(CELLS_PER_DEG, 12);
  header.writeUInt32LE(TILE_DEG, 16);
  header.writeUInt32LE(TILES_X, 20);
  header.writeUInt32LE(TILES_Y, 24);
  header.writeUInt32LE(stats.coastal, 28);
  header.write(key.padEnd(KEY_BYTES, ' ').slice(0, KEY_BYTES), 32, 'ascii');
  return { file: Buffer.concat([header, table, ...chunks]), stats };
}

/** Whether any non-horizontal polygon edge reaches the latitudes of strip `ty`. */
function stripHasEdges(set: PolygonSet, ty: number): boolean {
  const { bandStart } = set;
  // BAND_DEG (1/32°) divides the 1° strip: it is bands [ty·32, (ty + 1)·32).
  const bandsPerStrip = Math.round(TILE_DEG / BAND_DEG);
  const b0 = ty * bandsPerStrip;
  return (bandStart[b0 + bandsPerStrip] ?? NaN) > (bandStart[b0] ?? NaN);
}

/** Writes `file` to `path` through a temporary name, so readers never see half a file. */
export function writeFileAtomic(path: string, file: Uint8Array): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, file);
    renameSync(tmp, path);
  } catch (err) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing written
    }
    throw err;
  }
}

/**
 * An open tile file: its table read a row of tiles at a time (2.9 kB per 1° of latitude, kept),
 * coastal tiles read on demand. Reading the whole 518 kB table at open cost 35–73 ms in a fresh
 * process on the loaded machine (fresh pages fault slowly here); an open-ocean window now reads only
 * its own rows. The table is read as host-order u32: little-endian, as on every platform Node runs on here.
 */
export class TileFile {
  readonly key: string;
  readonly coastalCount: number;
  private readonly rows: Array<Uint32Array | undefined> = new Array<Uint32Array | undefined>(TILES_Y);
  private readonly lru = new Map<number, Uint8Array>();
  private fd: number | null;

  private constructor(
    readonly path: string,
    fd: number,
    key: string,
    coastalCount: number,
  ) {
    this.fd = fd;
    this.key = key;
    this.coastalCount = coastalCount;
  }

  /** Opens `path`; null when it is missing, short, of another format or built from another source (key). */
  static open(path: string, key: string): TileFile | null {
    let fd: number;
    try {
      fd = openSync(path, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    try {
      const head = Buffer.alloc(HEADER_BYTES);
      const n = readSync(fd, head, 0, head.length, 0);
      const ok =
        n === head.length &&
        fstatSync(fd).size >= HEADER_BYTES + TABLE_BYTES &&
        head.toString('ascii', 0, 8) === MAGIC &&
        head.readUInt32LE(8) === HEADER_BYTES &&
        head.readUInt32LE(12) === CELLS_PER_DEG &&
        head.readUInt32LE(16) === TILE_DEG &&
        head.readUInt32LE(20) === TILES_X &&
        head.readUInt32LE(24) === TILES_Y &&
        head.toString('ascii', 32, 32 + KEY_BYTES).trimEnd() === key.slice(0, KEY_BYTES).trimEnd();
      if (!ok) {
        closeSync(fd);
        return null;
      }
      return new TileFile(path, fd, key, head.readUInt32LE(28));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** Table row `ty`: (offset, length) per tile, read once. */
  private row(ty: number): Uint32Array {
    let r = this.rows[ty];
    if (r) return r;
    if (this.fd === null) throw new Error(`tile file ${this.path} is closed`);
    r = new Uint32Array(TILES_X * 2);
    const bytes = new Uint8Array(r.buffer);
    if (readSync(this.fd, bytes, 0, bytes.length, HEADER_BYTES + ty * bytes.length) !== bytes.length) throw new Error(`tile file ${this.path} is truncated in its table`);
    this.rows[ty] = r;
    return r;
  }

  /** Kind of tile (tx, ty), tx in [0, 360) east from -180°, ty in [0, 180) north from -90°. */
  kind(tx: number, ty: number): TileKind {
    const r = this.row(ty);
    if (r[tx * 2 + 1] === 0) return r[tx * 2] === 1 ? TILE_LAND : TILE_WATER;
    return 'coastal';
  }

  /** The bits of coastal tile (tx, ty) (TILE_BYTES, see src/land/tiles.ts); do not modify them. */
  bits(tx: number, ty: number): Uint8Array {
    const id = ty * TILES_X + tx;
    const hit = this.lru.get(id);
    if (hit) {
      this.lru.delete(id);
      this.lru.set(id, hit);
      return hit;
    }
    const r = this.row(ty);
    const offset = r[tx * 2];
    const length = r[tx * 2 + 1];
    if (offset === undefined || length === undefined) throw new RangeError(`tile ${tx},${ty} is outside the file's ${TILES_X} tile columns`);
    if (length === 0) throw new RangeError(`tile ${tx},${ty} is not coastal`);
    if (this.fd === null) throw new Error(`tile file ${this.path} is closed`);
    const z = Buffer.alloc(length);
    if (readSync(this.fd, z, 0, length, offset) !== length) throw new Error(`tile file ${this.path} is truncated at tile ${tx},${ty}`);
    const bits = new Uint8Array(inflateRawSync(z));
    if (bits.length !== TILE_BYTES) throw new Error(`tile file ${this.path}: tile ${tx},${ty} has ${bits.length} bytes, expected ${TILE_BYTES}`);
    this.lru.set(id, bits);
    const oldest = this.lru.keys().next();
    if (this.lru.size > LRU_TILES && oldest.done !== true) this.lru.delete(oldest.value);
    return bits;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    this.lru.clear();
    this.rows.fill(undefined);
  }
}
