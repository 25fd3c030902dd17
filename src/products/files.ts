/**
 * A product file's size and sha256. Products written from memory or in file order are hashed as they are
 * written (writeProduct, writtenProduct: no second pass over the bytes); describeProduct reads a file back
 * for the two that other programs write: raw/particles.nc as NetCDF-4 (HDF5, through h5wasm, which
 * writes its blocks in its own order) and products/animation.mp4 (ffmpeg, which rewrites the file's head
 * for +faststart).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, stat, writeFile } from 'node:fs/promises';
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

/** Writes a product held in memory (text as UTF-8) at its path under workDir, hashing the same bytes. */
export async function writeProduct(workDir: string, kind: ProductKind, data: string | Uint8Array): Promise<ProductFile> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const { relPath } = PRODUCT_PATHS[kind];
  const filePath = path.join(workDir, relPath);
  await mkdir(path.dirname(filePath), { recursive: true });
  await writeFile(filePath, bytes);
  return writtenProduct(workDir, kind, { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
}

/** The ProductFile of a product whose writer hashed its bytes in file order while writing them. */
export function writtenProduct(workDir: string, kind: ProductKind, written: { bytes: number; sha256: string }): ProductFile {
  const { relPath, contentType } = PRODUCT_PATHS[kind];
  return { kind, relPath, path: path.join(workDir, relPath), contentType, bytes: written.bytes, sha256: written.sha256 };
}
