/**
 * Honest test tiers (issue 12, item 6): `test/unit` runs with Node alone. A unit test may start Node
 * itself (process.execPath, e.g. scripts/make-forcing) but no other program: tests that need ffmpeg,
 * ncdump/ncgen/nccopy, chromium or a server live in test/integration. This reads the unit tests' source
 * and names any file that spawns something else.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const UNIT_DIR = path.resolve(import.meta.dirname);
const SPAWN = /(?<![.\w])(spawn|spawnSync|execFile|execFileSync|exec|execSync|fork)\(\s*([^,)\s]+)/g;
const TOOLS = /\b(ncdump|ncgen|nccopy|ffmpeg|ffprobe|chromium)\b/;

/** Every call that starts a process and what it starts, for one file's source. */
export function spawnedPrograms(source: string): string[] {
  return [...source.matchAll(SPAWN)].map((m) => m[2] ?? '');
}

describe('test tiers', () => {
  it('finds spawned programs in source text (the check itself can fail)', () => {
    expect(spawnedPrograms("execFileSync('ncdump', ['-h', f])")).toEqual(["'ncdump'"]);
    expect(spawnedPrograms('spawnSync(process.execPath, [script])')).toEqual(['process.execPath']);
    expect(spawnedPrograms('/x/.exec(text)')).toEqual([]); // RegExp#exec starts nothing
  });

  it('no unit test starts a program other than Node, or names an external tool it would need', () => {
    const offenders: string[] = [];
    for (const name of readdirSync(UNIT_DIR).filter((f) => f.endsWith('.ts') && f !== 'test-tiers.test.ts')) {
      const source = readFileSync(path.join(UNIT_DIR, name), 'utf8');
      for (const program of spawnedPrograms(source)) {
        if (program !== 'process.execPath') offenders.push(`${name}: starts ${program}`);
      }
      // Code (not comments) that locates a tool: findFfmpeg/locateFfmpeg or a tool name in a string.
      const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      if (/\b(findFfmpeg|locateFfmpeg)\(/.test(code) || [...code.matchAll(/'([^'\n]*)'|"([^"\n]*)"/g)].some((m) => TOOLS.test(m[1] ?? m[2] ?? ''))) {
        offenders.push(`${name}: needs an external tool (move it to test/integration)`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
