// What every benchmark shares: they run the compiled code in dist/ (`npm run bench` builds it first).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The import URL of dist/<p>. */
export const dist = (p) => pathToFileURL(path.join(root, 'dist', p)).href;

/** Exits with a hint when dist/<file> is not built. */
export function requireDist(file) {
  if (!existsSync(path.join(root, 'dist', file))) {
    console.error(`dist/${path.dirname(file)} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
}
