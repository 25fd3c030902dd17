/**
 * A product file's size and sha256. Products written by this program go through a ProductSink, which
 * hashes and counts the bytes in file order as they are written (no second pass over the bytes, and no
 * product held whole in memory: the writers hand it pieces); describeProduct reads a file back for the
 * two that other programs write: raw/particles.nc as NetCDF-4 (HDF5, through h5wasm, which writes its
 * blocks in its own order) and products/animation.mp4 (ffmpeg, which rewrites the file's head for
 * +faststart).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { PRODUCT_PATHS, type ProductFile, type ProductKind } from './types.js';

/** Reads the file back: for products written by another program. */
export async function describeProduct(workDir: string, kind: ProductKind): Promise<ProductFile> {
  const { relPath, contentType } = PRODUCT_PATHS[kind];
  const filePath = path.join(workDir, relPath);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  const { size } = await stat(filePath);
  return { kind, relPath, path: filePath, contentType, bytes: size, sha256: hash.digest('hex') };
}

/** The ProductFile of a product whose writer hashed its bytes in file order while writing them. */
export function writtenProduct(workDir: string, kind: ProductKind, written: { bytes: number; sha256: string }): ProductFile {
  const { relPath, contentType } = PRODUCT_PATHS[kind];
  return { kind, relPath, path: path.join(workDir, relPath), contentType, bytes: written.bytes, sha256: written.sha256 };
}

/** A piece of a product: text (written as UTF-8) or bytes. */
export type ProductPiece = string | Uint8Array;

/**
 * Bytes a ProductSink gathers before one write call. Text products come in pieces of tens to a few
 * thousand bytes (one GeoJSON feature, one KML Placemark), and each write call is a round trip through
 * libuv's thread pool. Writing 64 MB in 200-byte pieces took, by buffer size: 1 KiB 2.6-2.9 s, 4 KiB
 * 1.0 s, 16 KiB 0.48 s, 64 KiB 0.29 s, 256 KiB 0.23 s, 1 MiB 0.22 s (two runs each, loaded 2-core
 * machine). Past 64 KiB the per-piece await, not the write calls, is what is left, and 64 KiB is
 * nothing next to any product. Pieces at least this large (leeway.txt's 1 MiB blocks) are written as
 * they are, without a copy.
 */
export const SINK_BUFFER_BYTES = 64 * 1024;

/** The high (first) half of a UTF-16 surrogate pair. */
const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;

/**
 * One product file written in pieces, in order. Each piece is hashed (sha256) and counted as it is
 * appended, so close() knows the file's size and checksum without reading it back. The file is written
 * under `<path>.partial` and renamed by close(), so a reader never sees half a product; abort() (also
 * run when a write or close fails) closes and removes it.
 *
 * Backpressure: write() resolves once the piece is in the buffer or on disk, and a full buffer is
 * written out before it resolves, so a producer that awaits each write holds at most the buffer and
 * its current piece. A Uint8Array piece may be reused by the caller once write() has resolved.
 */
export class ProductSink {
  private readonly hash: Hash = createHash('sha256');
  private readonly buf: Buffer;
  private used = 0;
  private bytes = 0;
  /** A high surrogate that ended the last string piece: its low half starts the next one. */
  private carry = '';
  private done = false;

  private constructor(
    private readonly fh: FileHandle,
    readonly filePath: string,
    private readonly partialPath: string,
    bufferBytes: number,
  ) {
    this.buf = Buffer.allocUnsafe(bufferBytes);
  }

  /** Creates the file's directory and opens `<filePath>.partial` for writing. */
  static async open(filePath: string, bufferBytes = SINK_BUFFER_BYTES): Promise<ProductSink> {
    await mkdir(path.dirname(filePath), { recursive: true });
    const partialPath = `${filePath}.partial`;
    return new ProductSink(await open(partialPath, 'w'), filePath, partialPath, bufferBytes);
  }

  async write(piece: ProductPiece): Promise<void> {
    if (this.done) throw new Error(`product sink: write after close (${this.filePath})`);
    try {
      if (typeof piece === 'string') {
        let text = this.carry + piece;
        this.carry = '';
        // A surrogate pair split between two pieces: encoded apart, each half would become U+FFFD.
        if (text.length > 0 && isHighSurrogate(text.charCodeAt(text.length - 1))) {
          this.carry = text.slice(-1);
          text = text.slice(0, -1);
        }
        await this.append(Buffer.from(text, 'utf8'));
      } else {
        await this.flushCarry();
        await this.append(piece);
      }
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Writes what is buffered, closes and renames the file; its size and sha256. */
  async close(): Promise<{ bytes: number; sha256: string }> {
    if (this.done) throw new Error(`product sink: closed twice (${this.filePath})`);
    try {
      await this.flushCarry();
      await this.flush();
      this.done = true;
      await this.fh.close();
      await rename(this.partialPath, this.filePath);
    } catch (err) {
      await this.abort();
      throw err;
    }
    return { bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Closes and removes the partial file (idempotent; errors of the close itself are dropped). */
  async abort(): Promise<void> {
    this.done = true;
    await this.fh.close().catch(() => undefined);
    await rm(this.partialPath, { force: true });
  }

  /** A lone high surrogate left at the end, or before bytes: U+FFFD, as Buffer.from would write it. */
  private async flushCarry(): Promise<void> {
    if (this.carry === '') return;
    const text = this.carry;
    this.carry = '';
    await this.append(Buffer.from(text, 'utf8'));
  }

  private async append(bytes: Uint8Array): Promise<void> {
    this.hash.update(bytes);
    this.bytes += bytes.length;
    if (this.used + bytes.length > this.buf.length) await this.flush();
    if (bytes.length >= this.buf.length) {
      await this.writeAll(bytes);
      return;
    }
    this.buf.set(bytes, this.used);
    this.used += bytes.length;
  }

  private async flush(): Promise<void> {
    if (this.used === 0) return;
    await this.writeAll(this.buf.subarray(0, this.used));
    this.used = 0;
  }

  /** A write may take fewer bytes than asked (the file system's choice): loop until all are down. */
  private async writeAll(bytes: Uint8Array): Promise<void> {
    for (let off = 0; off < bytes.length; ) {
      const { bytesWritten } = await this.fh.write(bytes, off, bytes.length - off);
      off += bytesWritten;
    }
  }
}

/**
 * Writes a product from its pieces (sync or async iterable) at its path under workDir; the pieces are
 * produced one at a time as the file is written, so the product never exists whole in memory.
 */
export async function writeProductPieces(
  workDir: string,
  kind: ProductKind,
  pieces: Iterable<ProductPiece> | AsyncIterable<ProductPiece>,
): Promise<ProductFile> {
  return writtenProduct(workDir, kind, await writePieces(path.join(workDir, PRODUCT_PATHS[kind].relPath), pieces));
}

/** writeProductPieces for a file path: its size and sha256. A failing producer or write leaves no file. */
export async function writePieces(filePath: string, pieces: Iterable<ProductPiece> | AsyncIterable<ProductPiece>): Promise<{ bytes: number; sha256: string }> {
  const sink = await ProductSink.open(filePath);
  try {
    for await (const piece of pieces) await sink.write(piece);
  } catch (err) {
    await sink.abort();
    throw err;
  }
  return sink.close();
}
