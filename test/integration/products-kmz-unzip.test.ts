/**
 * products/search_areas.kmz read by another zip implementation than the one that wrote it: Info-ZIP's
 * `unzip -t` checks every entry's CRC, `zipinfo -1` lists the entries in archive order (doc.kml first,
 * as Google Earth expects). The KMZ's content is tested in test/unit/products-kmz.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAllProducts } from '../../src/products/write.js';
import { syntheticContext, syntheticResult } from '../unit/products.fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'driftline-kmz-unzip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('products/search_areas.kmz with Info-ZIP', () => {
  it('tests clean and lists doc.kml first, the legend and one PNG per output time', async () => {
    const nTimes = 7;
    await writeAllProducts(syntheticResult({ nParticles: 500, nTimes }), syntheticContext(), dir, { cellM: 1000, percents: [50, 90], timingsMs: {}, warnings: [] });
    const kmz = path.join(dir, 'products/search_areas.kmz');
    expect(execFileSync('unzip', ['-tq', kmz], { encoding: 'utf8' })).toMatch(/No errors detected/);
    const names = execFileSync('zipinfo', ['-1', kmz], { encoding: 'utf8' }).trim().split('\n');
    expect(names[0]).toBe('doc.kml');
    expect(names).toContain('files/legend.png');
    expect(names.filter((n) => /^files\/probability_\d{3}\.png$/.test(n))).toHaveLength(nTimes);
  });
});
