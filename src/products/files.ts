/** Size and sha256 of a product file, streamed (a trajectory file can be hundreds of MB). */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { PRODUCT_PATHS, type ProductFile, type ProductKind } from './types.js';

export async function describeProduct(workDir: string, kind: ProductKind): Promise<ProductFile> {
  const { relPath, contentType } = PRODUCT_PATHS[kind];
  const filePath = path.join(workDir, relPath);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath)) hash.update(chunk as Buffer);
  const { size } = await stat(filePath);
  return { kind, relPath, path: filePath, contentType, bytes: size, sha256: hash.digest('hex') };
}
